// How the group coordinator reports its refusals. Like storage errors, the kind travels as a
// status payload; broker/error_mapping.cc turns it into the wire code (the one mapping).
#pragma once

#include <absl/status/status.h>

#include <optional>
#include <string_view>

namespace choreo::broker {

enum class GroupErrorKind {
  kUnknownMember,      // absl::NotFound: no such member (never joined, removed, or fenced)
  kIllegalGeneration,  // absl::FailedPrecondition: stale member epoch, or a partition the member
                       // does not hold
  kGroupNotEmpty,      // absl::FailedPrecondition: an admin operation needs a group with no members
  kUnknownGroup,       // absl::NotFound: no members and no committed offsets
  kInvalidRequest,     // absl::InvalidArgument: malformed request (bad pattern, no subscription)
};

absl::Status MakeGroupError(GroupErrorKind kind, std::string_view message);
// The kind of a status made by MakeGroupError; std::nullopt for OK and for any other status.
std::optional<GroupErrorKind> GroupErrorKindOf(const absl::Status& status);

}  // namespace choreo::broker
