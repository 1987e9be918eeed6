// Produce v3-8: each partition's batch is validated and translated (record_translate.h), then
// appended through the native produce handler (topic checks, auto-creation, timestamp policy,
// idempotent sequences, metrics); partitions run concurrently. acks=0 gets no response. A topic
// the principal may not write (or auto-create) gets TOPIC_AUTHORIZATION_FAILED in every partition;
// another principal's producer id CLUSTER_AUTHORIZATION_FAILED (handlers/authorize.h).
#include <absl/strings/str_cat.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"
#include "broker/kafka/handlers/record_translate.h"
#include "broker/kafka/handlers/run_all.h"

namespace choreo::broker {
namespace {

struct PartitionResult {
  int16_t error_code = kafka_error::kNone;
  std::string error_message;
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;
  int64_t log_start_offset = -1;
};

void SetError(int16_t code, std::string message, PartitionResult* result) {
  result->error_code = code;
  result->error_message = std::move(message);
}

asio::awaitable<void> ProducePartition(RequestContext& ctx, const std::string& topic,
                                       const kafka::Struct& partition, PartitionResult* result) {
  if (partition.IsNull("records")) {
    SetError(kafka_error::kCorruptMessage, "no records", result);
    co_return;
  }
  std::vector<std::string_view> batches;
  if (absl::Status s = kafka::SplitBatches(partition.GetString("records"), false, &batches);
      !s.ok() || batches.size() != 1) {
    SetError(kafka_error::kCorruptMessage, "a produce carries exactly one record batch", result);
    co_return;
  }
  absl::StatusOr<kafka::ProducedBatch> translated = kafka::KafkaToChoreoBatch(
      batches[0], {.max_uncompressed_bytes = ctx.services.options.max_batch_bytes});
  if (!translated.ok()) {
    SetError(KafkaBatchErrorCode(translated.status()), std::string(translated.status().message()),
             result);
    co_return;
  }
  proto::Request request;
  proto::ProduceRequest* produce = request.mutable_produce();
  produce->set_topic(topic);
  produce->set_partition(static_cast<uint32_t>(partition.GetInt("partition_index")));
  *produce->mutable_batch() = std::move(translated->choreo_batch);
  const proto::Response response = co_await HandleProduce(ctx, request);
  if (response.error().code() != proto::NONE) {
    SetError(KafkaErrorCode(response.error().code()), response.error().message(), result);
    co_return;
  }
  result->base_offset = response.produce().base_offset();
  result->log_append_time_ms = response.produce().log_append_time_ms();
  result->log_start_offset = response.produce().log_start_offset();
}

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaProduce(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const int64_t acks = request.GetInt("acks");
  const std::vector<kafka::Struct>& topics = request.GetStructs("topics");
  std::vector<std::vector<PartitionResult>> results(topics.size());
  for (size_t t = 0; t < topics.size(); ++t)
    results[t].resize(topics[t].GetStructs("partitions").size());

  // Refused as a whole: old message formats, transactions, acks other than 0, 1 and all.
  int16_t refusal = kafka_error::kNone;
  if (call.version() < 3) {
    refusal = kafka_error::kUnsupportedForMessageFormat;
  } else if (!request.IsNull("transactional_id")) {
    refusal = kafka_error::kInvalidRequest;
  } else if (acks != 0 && acks != 1 && acks != -1) {
    refusal = kafka_error::kInvalidRequiredAcks;
  }
  if (refusal != kafka_error::kNone) {
    for (auto& topic : results)
      for (PartitionResult& p : topic)
        p.error_code = refusal;
  } else {
    std::vector<std::function<asio::awaitable<void>()>> tasks;
    for (size_t t = 0; t < topics.size(); ++t) {
      const std::vector<kafka::Struct>& partitions = topics[t].GetStructs("partitions");
      if (std::optional<AclDenial> denied =
              CheckProduceTopic(call.ctx, topics[t].GetString("name"))) {
        for (PartitionResult& result : results[t])
          SetError(kafka_error::kTopicAuthorizationFailed,
                   DenialMessage(call.ctx.connection.principal(), *denied), &result);
        continue;
      }
      for (size_t p = 0; p < partitions.size(); ++p) {
        tasks.push_back(
            [&call, &topic = topics[t], &partition = partitions[p], result = &results[t][p]]() {
              return ProducePartition(call.ctx, topic.GetString("name"), partition, result);
            });
      }
    }
    co_await RunAll(call.ctx.executor, std::move(tasks));
  }
  if (acks == 0) co_return std::nullopt;

  kafka::Struct response = call.NewResponse();
  for (size_t t = 0; t < topics.size(); ++t) {
    kafka::Struct& topic = response.AddStruct("responses");
    topic.SetString("name", topics[t].GetString("name"));
    const std::vector<kafka::Struct>& partitions = topics[t].GetStructs("partitions");
    for (size_t p = 0; p < partitions.size(); ++p) {
      const PartitionResult& result = results[t][p];
      kafka::Struct& out = topic.AddStruct("partitions");
      out.SetInt("partition_index", partitions[p].GetInt("partition_index"));
      out.SetInt("error_code", result.error_code);
      out.SetInt("base_offset", result.base_offset);
      out.SetInt("log_append_time_ms", result.log_append_time_ms);
      out.SetInt("log_start_offset", result.log_start_offset);
      if (!result.error_message.empty()) out.SetString("error_message", result.error_message);
    }
  }
  co_return response;
}

}  // namespace choreo::broker
