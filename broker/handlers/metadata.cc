#include <absl/container/flat_hash_set.h>

#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/auto_create.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/handlers/topic_metadata.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// `creatable`: the missing topics the request may auto-create (--auto-create-topics and the ACLs).
proto::MetadataResponse Describe(BrokerServices& services, const proto::MetadataRequest& request,
                                 const absl::flat_hash_set<std::string>& creatable) {
  proto::MetadataResponse body;
  body.set_broker_id(services.options.broker_id);
  if (request.topics().empty()) {
    for (const storage::TopicInfo& topic : services.topics.List())
      FillTopicMetadata(services.store, topic, body.add_topics());
    return body;
  }
  for (const std::string& name : request.topics()) {
    std::optional<storage::TopicInfo> topic = services.topics.Find(name);
    // Producers learn a topic's partitions from metadata before producing, so this is where
    // auto-creation must happen for them.
    if (!topic && creatable.contains(name)) topic = AutoCreateTopic(services, name);
    proto::TopicMetadata* out = body.add_topics();
    if (!topic) {
      out->set_name(name);
      SetError(proto::UNKNOWN_TOPIC, "unknown topic '" + name + "'", out->mutable_error());
      continue;
    }
    FillTopicMetadata(services.store, *topic, out);
  }
  return body;
}

}  // namespace

asio::awaitable<proto::Response> HandleMetadata(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::MetadataRequest& metadata = request.metadata();
  // Auto-creation also needs create on the topic or the cluster (authorize.h), as for Kafka's
  // Metadata; decided here, on the session's strand.
  absl::flat_hash_set<std::string> creatable;
  if (services.options.auto_create_topics) {
    for (const std::string& name : metadata.topics())
      if (!services.topics.Find(name) && !CheckCreateTopic(ctx, name)) creatable.insert(name);
  }
  proto::Response response;
  *response.mutable_metadata() = co_await RunBlocking(
      services.blocking, [&] { return Describe(services, metadata, creatable); });
  co_return response;
}

}  // namespace choreo::broker
