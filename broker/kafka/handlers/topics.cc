// CreateTopics 0-4 and DeleteTopics 0-3, through the native handlers. One node: replication
// factor 1 (or -1, the default) only, no manual assignments. Configs: retention.ms,
// retention.bytes, max.message.bytes, message.timestamp.type; anything else is INVALID_CONFIG.
// ACLs (handlers/authorize.h): create on the topic or the cluster, delete on the topic; a denied
// topic gets TOPIC_AUTHORIZATION_FAILED and the others go ahead.
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"

namespace choreo::broker {
namespace {

// Checks one requested topic and fills `*config`; returns the Kafka error, with `*message`.
int16_t TopicConfigFrom(const kafka::Struct& topic, proto::TopicConfig* config,
                        std::string* message) {
  const int64_t partitions = topic.GetInt("num_partitions");
  if (partitions == 0 || partitions < -1) {
    *message = "num_partitions must be positive (or -1 for the broker's default)";
    return kafka_error::kInvalidPartitions;
  }
  if (partitions > 0) config->set_partitions(static_cast<uint32_t>(partitions));
  const int64_t replication = topic.GetInt("replication_factor");
  if (replication != 1 && replication != -1) {
    *message = "choreod is one node: replication_factor must be 1 (or -1)";
    return kafka_error::kInvalidReplicationFactor;
  }
  if (!topic.GetStructs("assignments").empty()) {
    *message = "choreod is one node: no manual replica assignment";
    return kafka_error::kInvalidReplicaAssignment;
  }
  for (const kafka::Struct& entry : topic.GetStructs("configs")) {
    const std::string& name = entry.GetString("name");
    if (entry.IsNull("value")) continue;  // null: the default
    const std::string& value = entry.GetString("value");
    int64_t number = 0;
    const bool numeric = absl::SimpleAtoi(value, &number);
    if (name == "retention.ms" && numeric) {
      config->set_retention_ms(number);
    } else if (name == "retention.bytes" && numeric) {
      config->set_retention_bytes(number);
    } else if (name == "max.message.bytes" && numeric && number > 0) {
      config->set_max_message_bytes(static_cast<uint64_t>(number));
    } else if (name == "message.timestamp.type" &&
               (value == "CreateTime" || value == "LogAppendTime")) {
      config->set_timestamp_type(value == "CreateTime" ? proto::TIMESTAMP_TYPE_CREATE_TIME
                                                       : proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);
    } else {
      *message = absl::StrCat("unsupported config ", name, "=", value);
      return kafka_error::kInvalidConfig;
    }
  }
  return kafka_error::kNone;
}

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaCreateTopics(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const std::vector<kafka::Struct>& topics = request.GetStructs("topics");
  std::vector<int16_t> errors(topics.size(), kafka_error::kNone);
  std::vector<std::string> messages(topics.size());
  std::vector<int> native_index(topics.size(), -1);
  proto::Request native;
  proto::CreateTopicsRequest* create = native.mutable_create_topics();
  for (size_t i = 0; i < topics.size(); ++i) {
    proto::TopicConfig config;
    if (std::optional<AclDenial> denied = CheckCreateTopic(call.ctx, topics[i].GetString("name"))) {
      errors[i] = kafka_error::kTopicAuthorizationFailed;
      messages[i] = DenialMessage(call.ctx.connection.principal(), *denied);
      continue;
    }
    errors[i] = TopicConfigFrom(topics[i], &config, &messages[i]);
    if (errors[i] != kafka_error::kNone) continue;
    if (request.GetBool("validate_only")) {
      if (call.ctx.services.topics.Find(topics[i].GetString("name"))) {
        errors[i] = kafka_error::kTopicAlreadyExists;
        messages[i] = "topic already exists";
      }
      continue;
    }
    native_index[i] = create->topics_size();
    proto::CreateTopicsRequest::Topic* topic = create->add_topics();
    topic->set_name(topics[i].GetString("name"));
    *topic->mutable_config() = std::move(config);
  }
  if (create->topics_size() > 0) {
    const proto::Response created = co_await HandleCreateTopics(call.ctx, native);
    for (size_t i = 0; i < topics.size(); ++i) {
      if (native_index[i] < 0 || native_index[i] >= created.create_topics().results_size())
        continue;
      const proto::Error& error = created.create_topics().results(native_index[i]).error();
      errors[i] = KafkaErrorCode(error.code());
      messages[i] = error.message();
    }
  }
  kafka::Struct response = call.NewResponse();
  for (size_t i = 0; i < topics.size(); ++i) {
    kafka::Struct& out = response.AddStruct("topics");
    out.SetString("name", topics[i].GetString("name"));
    out.SetInt("error_code", errors[i]);
    if (errors[i] != kafka_error::kNone) out.SetString("error_message", messages[i]);
  }
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaDeleteTopics(KafkaCall& call) {
  proto::Request native;
  std::vector<std::string> denied;
  for (const kafka::Value& name : call.body().GetItems("topic_names")) {
    if (CheckTopic(call.ctx, AclOperation::kDelete, name.bytes)) {
      denied.push_back(name.bytes);
    } else {
      native.mutable_delete_topics()->add_names(name.bytes);
    }
  }
  proto::Response deleted;
  if (native.delete_topics().names_size() > 0)
    deleted = co_await HandleDeleteTopics(call.ctx, native);
  kafka::Struct response = call.NewResponse();
  for (const proto::TopicResult& result : deleted.delete_topics().results()) {
    kafka::Struct& out = response.AddStruct("responses");
    out.SetString("name", result.name());
    out.SetInt("error_code", KafkaErrorCode(result.error().code()));
  }
  for (const std::string& name : denied) {
    kafka::Struct& out = response.AddStruct("responses");
    out.SetString("name", name);
    out.SetInt("error_code", kafka_error::kTopicAuthorizationFailed);
  }
  co_return response;
}

}  // namespace choreo::broker
