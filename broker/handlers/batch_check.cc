#include "broker/handlers/batch_check.h"

#include <algorithm>

#include "broker/handlers/envelope_fields.h"
#include "broker/schema/schema_validation.h"
#include "choreo/proto/batch.h"

namespace choreo::broker {
namespace {

uint64_t BatchLimit(const BrokerOptions& options, const storage::TopicInfo& topic) {
  // A topic may lower the broker's limit, never raise it (frames and memory are sized for it).
  if (topic.config.max_message_bytes == 0) return options.max_batch_bytes;
  return std::min(topic.config.max_message_bytes, options.max_batch_bytes);
}

}  // namespace

proto::ErrorCode CheckBatch(const BrokerOptions& options,
                            const std::optional<storage::TopicInfo>& topic,
                            const std::string& topic_name, uint32_t partition,
                            const std::string& batch, storage::BatchFields* fields,
                            std::string* message, const SchemaRegistry* schemas) {
  if (!topic) {
    *message = "unknown topic '" + topic_name + "'";
    return proto::UNKNOWN_TOPIC;
  }
  if (partition >= topic->config.partitions) {
    *message = "topic '" + topic_name + "' has " + std::to_string(topic->config.partitions) +
               " partitions; partition " + std::to_string(partition) + " is invalid";
    return proto::INVALID_PARTITION;
  }
  const uint64_t limit = BatchLimit(options, *topic);
  if (batch.size() > limit) {
    *message = "batch of " + std::to_string(batch.size()) + " bytes exceeds the limit of " +
               std::to_string(limit);
    return proto::MESSAGE_TOO_LARGE;
  }
  proto::BatchSummary summary;
  proto::ErrorCode code = proto::ValidateBatch(batch, &summary, message);
  if (code != proto::NONE) return code;
  fields->record_count = summary.record_count;
  fields->max_timestamp_ms = summary.max_timestamp_ms;
  fields->producer_id = summary.producer_id;
  fields->producer_epoch = summary.producer_epoch;
  fields->base_sequence = summary.base_sequence;
  if (schemas != nullptr && topic->config.schema_validation) {
    code = CheckRecordSchemas(*schemas, topic_name, batch, summary.record_count, message);
    if (code != proto::NONE) return code;
  }
  if (topic->config.index_events) fields->events = ExtractIndexedEvents(batch);
  return proto::NONE;
}

}  // namespace choreo::broker
