// Metadata: this broker is the only node, the controller and the leader of every partition. With
// authentication on (handlers/authorize.h), an all-topics answer leaves out the topics the
// principal may not describe, and a named one gets TOPIC_AUTHORIZATION_FAILED; auto-creation also
// needs create on the topic (or cluster), without which a missing topic is
// UNKNOWN_TOPIC_OR_PARTITION.
#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/auto_create.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// The node id of this broker in every Kafka response.
constexpr int32_t kNodeId = 0;

void AddTopic(const storage::TopicInfo& topic, kafka::Struct* response) {
  kafka::Struct& out = response->AddStruct("topics");
  out.SetString("name", topic.name);
  for (uint32_t p = 0; p < topic.config.partitions; ++p) {
    kafka::Struct& partition = out.AddStruct("partitions");
    partition.SetInt("partition_index", p);
    partition.SetInt("leader_id", kNodeId);
    partition.SetInt("leader_epoch", 0);
    partition.AddInt("replica_nodes", kNodeId);
    partition.AddInt("isr_nodes", kNodeId);
  }
}

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaMetadata(KafkaCall& call) {
  BrokerServices& services = call.ctx.services;
  const kafka::Struct& request = call.body();
  kafka::Struct response = call.NewResponse();
  kafka::Struct& broker = response.AddStruct("brokers");
  broker.SetInt("node_id", kNodeId);
  broker.SetString("host", call.advertised_host);
  broker.SetInt("port", call.advertised_port);
  response.SetString("cluster_id", "choreo");
  response.SetInt("controller_id", kNodeId);

  // v0: an empty array means every topic; v1+: null means every topic, empty means none.
  const bool all =
      request.IsNull("topics") || (call.version() == 0 && request.GetStructs("topics").empty());
  if (all) {
    for (const storage::TopicInfo& topic : services.topics.List())
      if (MayDescribeTopic(call.ctx, topic.name)) AddTopic(topic, &response);
    co_return response;
  }
  // Producers ask for metadata before producing, so auto-creation (--auto-create-topics) happens
  // here, as on the native path, unless the client asks for none (v4+).
  const bool may_create =
      services.options.auto_create_topics && request.GetBool("allow_auto_topic_creation");
  std::vector<std::string> names;
  for (const kafka::Struct& topic : request.GetStructs("topics"))
    names.push_back(topic.GetString("name"));
  std::vector<std::optional<storage::TopicInfo>> found(names.size());
  std::vector<bool> denied(names.size()), create(names.size());
  bool missing = false;
  for (size_t i = 0; i < names.size(); ++i) {
    denied[i] = !MayDescribeTopic(call.ctx, names[i]);
    if (denied[i]) continue;
    found[i] = services.topics.Find(names[i]);
    create[i] = !found[i] && may_create && !CheckCreateTopic(call.ctx, names[i]);
    missing = missing || create[i];
  }
  if (missing) {
    co_await RunBlocking(services.blocking, [&] {
      for (size_t i = 0; i < names.size(); ++i)
        if (create[i]) found[i] = AutoCreateTopic(services, names[i]);
      return true;
    });
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (denied[i]) {
      kafka::Struct& out = response.AddStruct("topics");
      out.SetString("name", names[i]);
      out.SetInt("error_code", kafka_error::kTopicAuthorizationFailed);
      continue;
    }
    if (found[i]) {
      AddTopic(*found[i], &response);
      continue;
    }
    kafka::Struct& out = response.AddStruct("topics");
    out.SetString("name", names[i]);
    out.SetInt("error_code", kafka_error::kUnknownTopicOrPartition);
  }
  co_return response;
}

}  // namespace choreo::broker
