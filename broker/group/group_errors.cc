#include "broker/group/group_errors.h"

#include <absl/strings/cord.h>
#include <absl/strings/string_view.h>

#include <string>

namespace choreo::broker {
namespace {

// absl::string_view is not std::string_view in this abseil build.
constexpr absl::string_view kKindPayloadUrl = "choreo.broker/GroupErrorKind";

absl::StatusCode CodeFor(GroupErrorKind kind) {
  switch (kind) {
    case GroupErrorKind::kUnknownMember:
    case GroupErrorKind::kUnknownGroup:
      return absl::StatusCode::kNotFound;
    case GroupErrorKind::kIllegalGeneration:
    case GroupErrorKind::kGroupNotEmpty:
      return absl::StatusCode::kFailedPrecondition;
    case GroupErrorKind::kInvalidRequest:
      return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status MakeGroupError(GroupErrorKind kind, std::string_view message) {
  absl::Status status(CodeFor(kind), absl::string_view(message.data(), message.size()));
  status.SetPayload(kKindPayloadUrl, absl::Cord(std::string(1, static_cast<char>(kind))));
  return status;
}

std::optional<GroupErrorKind> GroupErrorKindOf(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  auto payload = status.GetPayload(kKindPayloadUrl);  // absl::optional, not std::optional
  if (!payload.has_value() || payload->size() != 1) return std::nullopt;
  const int value = static_cast<unsigned char>((*payload)[0]);
  if (value > static_cast<int>(GroupErrorKind::kInvalidRequest)) return std::nullopt;
  return static_cast<GroupErrorKind>(value);
}

}  // namespace choreo::broker
