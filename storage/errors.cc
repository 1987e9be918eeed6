#include "choreo/storage/errors.h"
#include "storage/string_view_compat.h"

#include <absl/strings/cord.h>
#include <absl/strings/str_cat.h>

#include <optional>
#include <string>

namespace choreo::storage {
namespace {

// The kind travels as a status payload so that it survives copies and message rewrites.
constexpr std::string_view kKindPayloadUrl = "choreo.storage/StoreErrorKind";
// Keep in sync with the last enumerator (errors_test checks every kind round-trips).
constexpr StoreErrorKind kLastStoreErrorKind = StoreErrorKind::kInvalidStep;

absl::StatusCode CodeFor(StoreErrorKind kind) {
  switch (kind) {
    case StoreErrorKind::kNone:
      return absl::StatusCode::kOk;
    case StoreErrorKind::kUnknownTopic:
      return absl::StatusCode::kNotFound;
    case StoreErrorKind::kInvalidPartition:
    case StoreErrorKind::kInvalidTopic:
    case StoreErrorKind::kInvalidBatch:
      return absl::StatusCode::kInvalidArgument;
    case StoreErrorKind::kTopicExists:
      return absl::StatusCode::kAlreadyExists;
    case StoreErrorKind::kOffsetOutOfRange:
      return absl::StatusCode::kOutOfRange;
    case StoreErrorKind::kCorruptData:
      return absl::StatusCode::kDataLoss;
    case StoreErrorKind::kNoSpace:
      return absl::StatusCode::kResourceExhausted;
    case StoreErrorKind::kClosed:
      return absl::StatusCode::kUnavailable;
    case StoreErrorKind::kIoError:
      return absl::StatusCode::kInternal;
    case StoreErrorKind::kDuplicateSequence:
      return absl::StatusCode::kAlreadyExists;
    case StoreErrorKind::kOutOfOrderSequence:
      return absl::StatusCode::kFailedPrecondition;
    case StoreErrorKind::kProducerFenced:
      return absl::StatusCode::kAborted;
    case StoreErrorKind::kUnknownProducerId:
      return absl::StatusCode::kNotFound;
    case StoreErrorKind::kInvalidGroupId:
    case StoreErrorKind::kOffsetMetadataTooLarge:
    case StoreErrorKind::kInvalidStep:
      return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kInternal;
}

std::optional<StoreErrorKind> KindFromByte(int value) {
  if (value < static_cast<int>(StoreErrorKind::kNone) ||
      value > static_cast<int>(kLastStoreErrorKind)) {
    return std::nullopt;
  }
  return static_cast<StoreErrorKind>(value);
}

}  // namespace

absl::Status MakeStoreError(StoreErrorKind kind, std::string_view message) {
  if (kind == StoreErrorKind::kNone) return absl::OkStatus();
  absl::Status status(CodeFor(kind), ToAbsl(message));
  status.SetPayload(ToAbsl(kKindPayloadUrl), absl::Cord(std::string(1, static_cast<char>(kind))));
  return status;
}

StoreErrorKind StoreErrorKindOf(const absl::Status& status) {
  if (status.ok()) return StoreErrorKind::kNone;
  auto payload = status.GetPayload(ToAbsl(kKindPayloadUrl));
  if (!payload.has_value() || payload->size() != 1) return StoreErrorKind::kIoError;
  std::optional<StoreErrorKind> kind = KindFromByte(static_cast<unsigned char>((*payload)[0]));
  return kind.value_or(StoreErrorKind::kIoError);
}

}  // namespace choreo::storage
