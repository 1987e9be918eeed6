#include <absl/strings/str_cat.h>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {

absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(std::string_view name) {
  if (name == "always") return FsyncPolicy::kAlways;
  if (name == "interval") return FsyncPolicy::kInterval;
  if (name == "never") return FsyncPolicy::kNever;
  return absl::InvalidArgumentError(absl::StrCat("unknown fsync policy '", ToAbsl(name),
                                                 "' (expected always, interval or never)"));
}

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kInterval:
      return "interval";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "unknown";
}

}  // namespace choreo::storage
