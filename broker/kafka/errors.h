// Kafka error codes the codec layer produces or that its callers need first, and a bridge for
// messages built with absl::StrCat (Debian's abseil has its own string_view, not std's).
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/strings/string_view.h"

namespace choreo::kafka {

// Values of the protocol's error_code fields (the complete list is Kafka's protocol guide).
namespace error_code {
inline constexpr int16_t kNone = 0;
inline constexpr int16_t kCorruptMessage = 2;
inline constexpr int16_t kMessageTooLarge = 10;
inline constexpr int16_t kUnsupportedVersion = 35;
inline constexpr int16_t kInvalidRequest = 42;
inline constexpr int16_t kUnsupportedCompressionType = 76;
}  // namespace error_code

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace choreo::kafka
