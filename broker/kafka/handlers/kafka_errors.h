// The one place that turns choreo's wire error codes (proto::ErrorCode, which error_mapping.h
// derives from storage errors) into Kafka error codes, for the Kafka listener's responses.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "broker/kafka/errors.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// Kafka error codes the listener answers with (broker/kafka/errors.h).
namespace kafka_error = ::choreo::kafka::error_code;

// The Kafka code for a choreo error code (NONE -> 0; codes without a Kafka counterpart ->
// UNKNOWN_SERVER_ERROR, -1).
int16_t KafkaErrorCode(proto::ErrorCode code);

// The Kafka code for a record batch the codec refused (kafka/record_batch.h's error kinds).
int16_t KafkaBatchErrorCode(const absl::Status& status);

}  // namespace choreo::broker
