#include "broker/error_mapping.h"

#include <optional>
#include <string>

namespace choreo::broker {

proto::ErrorCode ErrorCodeForKind(storage::StoreErrorKind kind) {
  using storage::StoreErrorKind;
  // No default: a new kind must be mapped here (-Wswitch flags it).
  switch (kind) {
    case StoreErrorKind::kNone:
      return proto::NONE;
    case StoreErrorKind::kUnknownTopic:
      return proto::UNKNOWN_TOPIC;
    case StoreErrorKind::kInvalidPartition:
      return proto::INVALID_PARTITION;
    case StoreErrorKind::kTopicExists:
      return proto::TOPIC_ALREADY_EXISTS;
    case StoreErrorKind::kInvalidTopic:
      return proto::INVALID_TOPIC;
    case StoreErrorKind::kOffsetOutOfRange:
      return proto::OFFSET_OUT_OF_RANGE;
    case StoreErrorKind::kCorruptData:
      // The stored copy is damaged: a broker-side fault, not a bad request from this client.
      return proto::STORAGE_ERROR;
    case StoreErrorKind::kNoSpace:
      return proto::NOT_ENOUGH_SPACE;
    case StoreErrorKind::kClosed:
      return proto::SHUTTING_DOWN;
    case StoreErrorKind::kIoError:
      return proto::STORAGE_ERROR;
    case StoreErrorKind::kInvalidBatch:
      // The broker validates batches before appending, so this is a malformed request that
      // slipped past those checks.
      return proto::INVALID_REQUEST;
    case StoreErrorKind::kDuplicateSequence:
      return proto::DUPLICATE_SEQUENCE;
    case StoreErrorKind::kOutOfOrderSequence:
      return proto::OUT_OF_ORDER_SEQUENCE;
    case StoreErrorKind::kProducerFenced:
      return proto::PRODUCER_FENCED;
    case StoreErrorKind::kUnknownProducerId:
      return proto::UNKNOWN_PRODUCER_ID;
    // The protocol has no dedicated codes for these yet; the message says which it was.
    case StoreErrorKind::kInvalidGroupId:
    case StoreErrorKind::kOffsetMetadataTooLarge:
      return proto::INVALID_REQUEST;
    // A step the broker should have rejected, or a retry mixing applied and new batches.
    case StoreErrorKind::kInvalidStep:
      return proto::INVALID_REQUEST;
  }
  return proto::UNKNOWN;
}

proto::ErrorCode ErrorCodeForGroupKind(GroupErrorKind kind) {
  switch (kind) {
    case GroupErrorKind::kUnknownMember:
      return proto::UNKNOWN_MEMBER_ID;
    case GroupErrorKind::kIllegalGeneration:
      return proto::ILLEGAL_GENERATION;
    case GroupErrorKind::kGroupNotEmpty:
      return proto::GROUP_NOT_EMPTY;
    case GroupErrorKind::kUnknownGroup:
      return proto::UNKNOWN_GROUP;
    case GroupErrorKind::kInvalidRequest:
      return proto::INVALID_REQUEST;
  }
  return proto::UNKNOWN;
}

proto::ErrorCode ErrorCodeForSchemaKind(SchemaErrorKind kind) {
  switch (kind) {
    case SchemaErrorKind::kIncompatible:
      return proto::INCOMPATIBLE_SCHEMA;
    case SchemaErrorKind::kUnknownSchema:
      return proto::UNKNOWN_SCHEMA;
    case SchemaErrorKind::kInvalidSchema:
      return proto::INVALID_REQUEST;
    case SchemaErrorKind::kLimit:
      return proto::RESOURCE_EXHAUSTED;
  }
  return proto::UNKNOWN;
}

proto::ErrorCode ErrorCodeFor(const absl::Status& status) {
  if (std::optional<SchemaErrorKind> schema = SchemaErrorKindOf(status)) {
    return ErrorCodeForSchemaKind(*schema);
  }
  if (std::optional<GroupErrorKind> group = GroupErrorKindOf(status)) {
    return ErrorCodeForGroupKind(*group);
  }
  return ErrorCodeForKind(storage::StoreErrorKindOf(status));
}

void SetError(const absl::Status& status, proto::Error* error) {
  error->set_code(ErrorCodeFor(status));
  error->set_message(std::string(status.message()));
}

}  // namespace choreo::broker
