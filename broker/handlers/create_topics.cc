#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// Proto3 leaves unset fields 0, which the protocol defines as "broker default".
storage::TopicConfig ToStoreConfig(const BrokerOptions& options, const proto::TopicConfig& wire) {
  storage::TopicConfig config;
  config.partitions = wire.partitions() != 0 ? wire.partitions() : options.default_partitions;
  config.retention_ms =
      wire.retention_ms() != 0 ? wire.retention_ms() : options.default_retention_ms;
  config.retention_bytes =
      wire.retention_bytes() != 0 ? wire.retention_bytes() : options.default_retention_bytes;
  config.max_message_bytes = wire.max_message_bytes();
  config.index_events = wire.event_index() != proto::EVENT_INDEX_OFF;
  config.schema_validation = wire.schema_validation() == proto::SCHEMA_VALIDATION_ON;
  config.log_append_time = wire.timestamp_type() == proto::TIMESTAMP_TYPE_LOG_APPEND_TIME;
  return config;
}

}  // namespace

asio::awaitable<proto::Response> HandleCreateTopics(RequestContext& ctx, proto::Request& request) {
  const proto::CreateTopicsRequest& create = request.create_topics();
  BrokerServices& services = ctx.services;
  // One hop to the storage pool for the whole request; topics are created in request order.
  std::vector<absl::Status> results = co_await RunBlocking(services.blocking, [&] {
    std::vector<absl::Status> statuses;
    statuses.reserve(create.topics_size());
    for (const auto& topic : create.topics()) {
      statuses.push_back(
          services.topics.Create(topic.name(), ToStoreConfig(services.options, topic.config()))
              .status());
    }
    return statuses;
  });

  proto::Response response;
  proto::CreateTopicsResponse* body = response.mutable_create_topics();
  for (int i = 0; i < create.topics_size(); ++i) {
    proto::TopicResult* result = body->add_results();
    result->set_name(create.topics(i).name());
    SetError(results[i], result->mutable_error());
  }
  co_return response;
}

}  // namespace choreo::broker
