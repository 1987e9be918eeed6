#include "broker/schema/schema_errors.h"

#include <absl/strings/cord.h>
#include <absl/strings/string_view.h>

#include <string>

namespace choreo::broker {
namespace {

constexpr absl::string_view kKindPayloadUrl = "choreo.broker/SchemaErrorKind";

absl::StatusCode CodeFor(SchemaErrorKind kind) {
  switch (kind) {
    case SchemaErrorKind::kIncompatible:
      return absl::StatusCode::kFailedPrecondition;
    case SchemaErrorKind::kUnknownSchema:
      return absl::StatusCode::kNotFound;
    case SchemaErrorKind::kInvalidSchema:
      return absl::StatusCode::kInvalidArgument;
    case SchemaErrorKind::kLimit:
      return absl::StatusCode::kResourceExhausted;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status MakeSchemaError(SchemaErrorKind kind, std::string_view message) {
  absl::Status status(CodeFor(kind), absl::string_view(message.data(), message.size()));
  status.SetPayload(kKindPayloadUrl, absl::Cord(std::string(1, static_cast<char>(kind))));
  return status;
}

std::optional<SchemaErrorKind> SchemaErrorKindOf(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  auto payload = status.GetPayload(kKindPayloadUrl);
  if (!payload.has_value() || payload->size() != 1) return std::nullopt;
  const int value = static_cast<unsigned char>((*payload)[0]);
  if (value > static_cast<int>(SchemaErrorKind::kLimit)) return std::nullopt;
  return static_cast<SchemaErrorKind>(value);
}

}  // namespace choreo::broker
