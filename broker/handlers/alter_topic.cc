// AlterTopic: changes a topic's partitions (grow only), retention and max message bytes. The wire
// leaves a field at 0 to keep its value (proto3 cannot tell "unset" from 0, and 0 is not a useful
// value for any of them: -1 is "forever"/"unlimited"). The answer carries the topic as it is after
// the change.
#include <optional>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_metadata.h"
#include "broker/logging.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

storage::TopicConfigUpdate ToUpdate(const proto::TopicConfig& wire) {
  storage::TopicConfigUpdate update;
  if (wire.partitions() != 0) update.partitions = wire.partitions();
  if (wire.retention_ms() != 0) update.retention_ms = wire.retention_ms();
  if (wire.retention_bytes() != 0) update.retention_bytes = wire.retention_bytes();
  if (wire.max_message_bytes() != 0) update.max_message_bytes = wire.max_message_bytes();
  if (wire.event_index() != proto::EVENT_INDEX_DEFAULT) {
    update.index_events = wire.event_index() != proto::EVENT_INDEX_OFF;
  }
  if (wire.schema_validation() != proto::SCHEMA_VALIDATION_DEFAULT) {
    update.schema_validation = wire.schema_validation() == proto::SCHEMA_VALIDATION_ON;
  }
  if (wire.timestamp_type() != proto::TIMESTAMP_TYPE_DEFAULT) {
    update.log_append_time = wire.timestamp_type() == proto::TIMESTAMP_TYPE_LOG_APPEND_TIME;
  }
  return update;
}

}  // namespace

asio::awaitable<proto::Response> HandleAlterTopic(RequestContext& ctx, proto::Request& request) {
  const proto::AlterTopicRequest& alter = request.alter_topic();
  BrokerServices& services = ctx.services;
  proto::Response response;
  proto::AlterTopicResponse* body = response.mutable_alter_topic();
  const storage::TopicConfigUpdate update = ToUpdate(alter.config());
  absl::StatusOr<storage::TopicInfo> altered = co_await RunBlocking(services.blocking, [&] {
    absl::StatusOr<storage::TopicInfo> result = services.topics.Alter(alter.name(), update);
    if (result.ok()) FillTopicMetadata(services.store, *result, body->mutable_topic());
    return result;
  });
  if (!altered.ok()) {
    body->mutable_topic()->set_name(alter.name());
    SetError(altered.status(), response.mutable_error());
    co_return response;
  }
  BrokerLog().info(
      "event=topic_altered topic={} partitions={} retention_ms={} retention_bytes={} "
      "max_message_bytes={} event_index={} schema_validation={} timestamp_type={}",
      altered->name, altered->config.partitions, altered->config.retention_ms,
      altered->config.retention_bytes, altered->config.max_message_bytes,
      altered->config.index_events ? "on" : "off", altered->config.schema_validation ? "on" : "off",
      altered->config.log_append_time ? "log_append_time" : "create_time");
  co_return response;
}

}  // namespace choreo::broker
