// The checks every appended batch passes before it reaches the store (produce and step commit):
// the topic and partition exist, the batch fits the topic's limit, and it is a well-formed record
// batch; extracts the fields the store needs, including the envelopes of its records when the
// topic has the event index on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "choreo/broker/broker.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class SchemaRegistry;

// `topic` is the topic table's entry for `topic_name` (nullopt: unknown). Returns NONE and fills
// `*fields`, or the code to answer (UNKNOWN_TOPIC, INVALID_PARTITION, MESSAGE_TOO_LARGE,
// CORRUPT_MESSAGE, ...) with `*message` set. With `schemas` set and the topic's schema validation
// on, also UNKNOWN_SCHEMA for a record whose type or version is not registered
// (schema/schema_validation.h); null `schemas` skips that check.
proto::ErrorCode CheckBatch(const BrokerOptions& options,
                            const std::optional<storage::TopicInfo>& topic,
                            const std::string& topic_name, uint32_t partition,
                            const std::string& batch, storage::BatchFields* fields,
                            std::string* message, const SchemaRegistry* schemas = nullptr);

}  // namespace choreo::broker
