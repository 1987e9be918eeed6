// Debian's abseil 20220623 is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), which converts neither to nor from std::string_view. The public API speaks
// std::string_view; these bridge the two without copying.
#pragma once

#include <absl/strings/string_view.h>

#include <string_view>

namespace choreo::storage {

inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view ToStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace choreo::storage
