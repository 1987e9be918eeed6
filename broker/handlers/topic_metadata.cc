#include "broker/handlers/topic_metadata.h"

#include "broker/error_mapping.h"

namespace choreo::broker {

void FillTopicMetadata(const storage::LogStore& store, const storage::TopicInfo& topic,
                       proto::TopicMetadata* out) {
  out->set_name(topic.name);
  out->set_topic_id(storage::ToInt(topic.id));
  proto::TopicConfig* config = out->mutable_config();
  config->set_partitions(topic.config.partitions);
  config->set_retention_ms(topic.config.retention_ms);
  config->set_retention_bytes(topic.config.retention_bytes);
  config->set_max_message_bytes(topic.config.max_message_bytes);
  config->set_event_index(topic.config.index_events ? proto::EVENT_INDEX_ON
                                                    : proto::EVENT_INDEX_OFF);
  config->set_schema_validation(topic.config.schema_validation ? proto::SCHEMA_VALIDATION_ON
                                                               : proto::SCHEMA_VALIDATION_OFF);
  config->set_timestamp_type(topic.config.log_append_time ? proto::TIMESTAMP_TYPE_LOG_APPEND_TIME
                                                          : proto::TIMESTAMP_TYPE_CREATE_TIME);
  for (uint32_t p = 0; p < topic.config.partitions; ++p) {
    absl::StatusOr<storage::PartitionOffsets> offsets = store.GetOffsets(topic.name, p);
    if (!offsets.ok()) {
      // The topic vanished (or storage failed) while we were describing it.
      out->clear_partitions();
      SetError(offsets.status(), out->mutable_error());
      return;
    }
    proto::PartitionMetadata* partition = out->add_partitions();
    partition->set_partition(p);
    partition->set_log_start_offset(offsets->log_start_offset);
    partition->set_high_watermark(offsets->high_watermark);
  }
}

}  // namespace choreo::broker
