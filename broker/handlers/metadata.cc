#include <optional>
#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

void FillTopic(storage::LogStore& store, const storage::TopicInfo& topic,
               proto::TopicMetadata* out) {
  out->set_name(topic.name);
  out->set_topic_id(topic.id);
  proto::TopicConfig* config = out->mutable_config();
  config->set_partitions(topic.config.partitions);
  config->set_retention_ms(topic.config.retention_ms);
  config->set_retention_bytes(topic.config.retention_bytes);
  config->set_max_message_bytes(topic.config.max_message_bytes);
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

proto::MetadataResponse Describe(const BrokerServices& services,
                                 const proto::MetadataRequest& request) {
  proto::MetadataResponse body;
  body.set_broker_id(services.options.broker_id);
  if (request.topics().empty()) {
    for (const storage::TopicInfo& topic : services.topics.List())
      FillTopic(services.store, topic, body.add_topics());
    return body;
  }
  for (const std::string& name : request.topics()) {
    std::optional<storage::TopicInfo> topic = services.topics.Find(name);
    proto::TopicMetadata* out = body.add_topics();
    if (!topic) {
      out->set_name(name);
      SetError(proto::UNKNOWN_TOPIC, "unknown topic '" + name + "'", out->mutable_error());
      continue;
    }
    FillTopic(services.store, *topic, out);
  }
  return body;
}

}  // namespace

asio::awaitable<proto::Response> HandleMetadata(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::MetadataRequest& metadata = request.metadata();
  proto::Response response;
  *response.mutable_metadata() =
      co_await RunBlocking(services.blocking, [&] { return Describe(services, metadata); });
  co_return response;
}

}  // namespace choreo::broker
