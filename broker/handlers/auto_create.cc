#include "broker/handlers/auto_create.h"

#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"

namespace choreo::broker {

storage::TopicConfig DefaultTopicConfig(const BrokerOptions& options) {
  storage::TopicConfig config;
  config.partitions = options.default_partitions;
  config.retention_ms = options.default_retention_ms;
  config.retention_bytes = options.default_retention_bytes;
  config.max_message_bytes = 0;  // the broker's --max-batch-bytes
  return config;
}

std::optional<storage::TopicInfo> AutoCreateTopic(BrokerServices& services,
                                                  const std::string& name) {
  if (!services.options.auto_create_topics) return std::nullopt;
  if (!storage::ValidateTopicName(name).ok()) return std::nullopt;
  absl::StatusOr<storage::TopicInfo> created =
      services.topics.Create(name, DefaultTopicConfig(services.options));
  if (created.ok()) {
    services.metrics.topics_auto_created().Increment();
    BrokerLog().info("event=topic_auto_created topic={} partitions={}", name,
                     created->config.partitions);
    return *std::move(created);
  }
  // Lost a race with another creator: use theirs.
  if (std::optional<storage::TopicInfo> existing = services.topics.Find(name)) return existing;
  BrokerLog().warn("event=error error=\"auto-creating topic {} failed: {}\"", name,
                   created.status().ToString());
  return std::nullopt;
}

}  // namespace choreo::broker
