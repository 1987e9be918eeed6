#include "broker/kafka/handlers/kafka_errors.h"

namespace choreo::broker {

int16_t KafkaErrorCode(proto::ErrorCode code) {
  using namespace kafka_error;  // NOLINT(build/namespaces): a table of its constants
  switch (code) {
    case proto::NONE:
      return kNone;
    case proto::INVALID_REQUEST:
      return kInvalidRequest;
    case proto::UNSUPPORTED_VERSION:
      return kUnsupportedVersion;
    case proto::UNKNOWN_TOPIC:
    case proto::INVALID_PARTITION:
      return kUnknownTopicOrPartition;
    case proto::TOPIC_ALREADY_EXISTS:
      return kTopicAlreadyExists;
    case proto::INVALID_TOPIC:
      return kInvalidTopic;
    case proto::OFFSET_OUT_OF_RANGE:
      return kOffsetOutOfRange;
    case proto::MESSAGE_TOO_LARGE:
      return kMessageTooLarge;
    case proto::CORRUPT_MESSAGE:
      return kCorruptMessage;
    case proto::DUPLICATE_SEQUENCE:
      return kDuplicateSequenceNumber;
    case proto::OUT_OF_ORDER_SEQUENCE:
      return kOutOfOrderSequenceNumber;
    case proto::PRODUCER_FENCED:
      return kInvalidProducerEpoch;
    case proto::UNKNOWN_PRODUCER_ID:
      return kUnknownProducerId;
    case proto::ILLEGAL_GENERATION:
      return kIllegalGeneration;
    case proto::UNKNOWN_MEMBER_ID:
      return kUnknownMemberId;
    case proto::REBALANCE_IN_PROGRESS:
      return kRebalanceInProgress;
    case proto::GROUP_NOT_EMPTY:
      return kNonEmptyGroup;
    case proto::UNKNOWN_GROUP:
      return kGroupIdNotFound;
    case proto::STORAGE_ERROR:
    case proto::NOT_ENOUGH_SPACE:
      return kKafkaStorageError;
    case proto::TIMEOUT:
      return kRequestTimedOut;
    case proto::SHUTTING_DOWN:
      // Retriable: the client refreshes its metadata and tries again (after a restart).
      return kBrokerNotAvailable;
    case proto::UNKNOWN_SCHEMA:
    case proto::INCOMPATIBLE_SCHEMA:
      return kInvalidRecord;
    case proto::INVALID_TIMESTAMP:
      return kInvalidTimestamp;
    case proto::AUTHENTICATION_FAILED:
      return kSaslAuthenticationFailed;
    case proto::AUTHORIZATION_FAILED:
      // Topic ACLs are checked by the Kafka handlers themselves (TOPIC_AUTHORIZATION_FAILED); what
      // a native handler denies is not a topic's: another principal's producer id.
      return kClusterAuthorizationFailed;
    default:
      return kUnknownServerError;
  }
}

int16_t KafkaBatchErrorCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kafka_error::kNone;
    case absl::StatusCode::kResourceExhausted:
      return kafka_error::kRecordListTooLarge;
    case absl::StatusCode::kUnimplemented:
      return kafka_error::kUnsupportedCompressionType;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kDataLoss:
      return kafka_error::kCorruptMessage;
    default:
      return kafka_error::kUnknownServerError;
  }
}

}  // namespace choreo::broker
