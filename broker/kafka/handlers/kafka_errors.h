// The one place that turns choreo's wire error codes (proto::ErrorCode, which error_mapping.h
// derives from storage errors) into Kafka error codes, for the Kafka listener's responses.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// Kafka error codes the listener answers with (Kafka's protocol guide has the complete list).
namespace kafka_error {
inline constexpr int16_t kUnknownServerError = -1;
inline constexpr int16_t kNone = 0;
inline constexpr int16_t kOffsetOutOfRange = 1;
inline constexpr int16_t kCorruptMessage = 2;
inline constexpr int16_t kUnknownTopicOrPartition = 3;
inline constexpr int16_t kRequestTimedOut = 7;
inline constexpr int16_t kBrokerNotAvailable = 8;
inline constexpr int16_t kMessageTooLarge = 10;
inline constexpr int16_t kInvalidTopic = 17;
inline constexpr int16_t kRecordListTooLarge = 18;
inline constexpr int16_t kInvalidRequiredAcks = 21;
inline constexpr int16_t kIllegalGeneration = 22;
inline constexpr int16_t kUnknownMemberId = 25;
inline constexpr int16_t kRebalanceInProgress = 27;
inline constexpr int16_t kTopicAuthorizationFailed = 29;
inline constexpr int16_t kGroupAuthorizationFailed = 30;
inline constexpr int16_t kClusterAuthorizationFailed = 31;
inline constexpr int16_t kInvalidTimestamp = 32;
inline constexpr int16_t kUnsupportedSaslMechanism = 33;
inline constexpr int16_t kIllegalSaslState = 34;
inline constexpr int16_t kUnsupportedVersion = 35;
inline constexpr int16_t kTopicAlreadyExists = 36;
inline constexpr int16_t kInvalidPartitions = 37;
inline constexpr int16_t kInvalidReplicationFactor = 38;
inline constexpr int16_t kInvalidReplicaAssignment = 39;
inline constexpr int16_t kInvalidConfig = 40;
inline constexpr int16_t kInvalidRequest = 42;
inline constexpr int16_t kUnsupportedForMessageFormat = 43;
inline constexpr int16_t kOutOfOrderSequenceNumber = 45;
inline constexpr int16_t kDuplicateSequenceNumber = 46;
inline constexpr int16_t kInvalidProducerEpoch = 47;
inline constexpr int16_t kKafkaStorageError = 56;
inline constexpr int16_t kSaslAuthenticationFailed = 58;
inline constexpr int16_t kUnknownProducerId = 59;
inline constexpr int16_t kNonEmptyGroup = 68;
inline constexpr int16_t kGroupIdNotFound = 69;
inline constexpr int16_t kUnsupportedCompressionType = 76;
inline constexpr int16_t kInvalidRecord = 87;
}  // namespace kafka_error

// The Kafka code for a choreo error code (NONE -> 0; codes without a Kafka counterpart ->
// UNKNOWN_SERVER_ERROR, -1).
int16_t KafkaErrorCode(proto::ErrorCode code);

// The Kafka code for a record batch the codec refused (kafka/record_batch.h's error kinds).
int16_t KafkaBatchErrorCode(const absl::Status& status);

}  // namespace choreo::broker
