// Fetch v4-11 without fetch sessions (session id 0, every fetch names its partitions): the native
// fetch (long poll on the partition waiters, max_wait capped at --max-fetch-wait, fetch memory
// grants) reads choreo batches, which are translated to Kafka batches (record_translate.h).
// Partitions of a topic the principal may not read get TOPIC_AUTHORIZATION_FAILED and are not
// fetched (handlers/authorize.h).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"
#include "broker/kafka/handlers/record_translate.h"
#include "broker/logging.h"

namespace choreo::broker {
namespace {

uint64_t NonNegative(int64_t v) {
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaFetch(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  proto::Request native;
  proto::FetchRequest* fetch = native.mutable_fetch();
  fetch->set_max_wait_ms(static_cast<uint32_t>(NonNegative(request.GetInt("max_wait_ms"))));
  fetch->set_min_bytes(NonNegative(request.GetInt("min_bytes")));
  // 0 would mean "the broker's cap" natively; a Kafka client asking for 0 bytes gets one batch.
  fetch->set_max_bytes(std::max<uint64_t>(1, NonNegative(request.GetInt("max_bytes"))));
  const std::vector<kafka::Struct>& topics = request.GetStructs("topics");
  std::vector<std::optional<AclDenial>> denied(topics.size());
  for (size_t t = 0; t < topics.size(); ++t) {
    const kafka::Struct& topic = topics[t];
    denied[t] = CheckTopic(call.ctx, AclOperation::kRead, topic.GetString("topic"));
    if (denied[t]) continue;
    for (const kafka::Struct& partition : topic.GetStructs("partitions")) {
      proto::FetchRequest::Partition* p = fetch->add_partitions();
      p->set_topic(topic.GetString("topic"));
      p->set_partition(static_cast<uint32_t>(partition.GetInt("partition")));
      p->set_offset(partition.GetInt("fetch_offset"));
      p->set_max_bytes(std::max<uint64_t>(1, NonNegative(partition.GetInt("partition_max_bytes"))));
    }
  }
  // Not when every partition asked for was denied (nothing to wait for).
  const bool all_denied = !denied.empty() && std::all_of(denied.begin(), denied.end(),
                                                         [](const std::optional<AclDenial>& d) {
                                                           return d.has_value();
                                                         });
  proto::Response fetched;
  if (!all_denied) fetched = co_await HandleFetch(call.ctx, native);

  kafka::Struct response = call.NewResponse();
  int index = 0;
  for (size_t t = 0; t < topics.size(); ++t) {
    const kafka::Struct& topic = topics[t];
    kafka::Struct& out_topic = response.AddStruct("responses");
    out_topic.SetString("topic", topic.GetString("topic"));
    for (const kafka::Struct& partition : topic.GetStructs("partitions")) {
      kafka::Struct& out = out_topic.AddStruct("partitions");
      out.SetInt("partition_index", partition.GetInt("partition"));
      if (denied[t]) {
        out.SetInt("error_code", kafka_error::kTopicAuthorizationFailed);
        continue;
      }
      if (index >= fetched.fetch().partitions_size()) {
        out.SetInt("error_code", kafka_error::kUnknownServerError);
        continue;
      }
      const proto::FetchPartitionResponse& p = fetched.fetch().partitions(index++);
      out.SetInt("error_code", KafkaErrorCode(p.error().code()));
      out.SetInt("high_watermark", p.error().code() == proto::NONE ? p.high_watermark() : -1);
      out.SetInt("last_stable_offset", p.error().code() == proto::NONE ? p.high_watermark() : -1);
      out.SetInt("log_start_offset", p.error().code() == proto::NONE ? p.log_start_offset() : -1);
      std::string& records = out.Mutable("records").bytes;
      for (const proto::FetchedBatch& batch : p.batches()) {
        if (absl::Status s =
                kafka::AppendChoreoBatchAsKafka(batch.batch(), batch.base_offset(), &records);
            !s.ok()) {
          // The stored batch is damaged (its CRC passed, so rather a bug): report what was
          // translated before it.
          HandlerLog().error(
              "event=error api=kafka_fetch topic={} partition={} offset={} "
              "error=\"{}\"",
              p.topic(), p.partition(), batch.base_offset(), std::string(s.message()));
          if (records.empty()) out.SetInt("error_code", kafka_error::kKafkaStorageError);
          break;
        }
      }
    }
  }
  co_return response;
}

}  // namespace choreo::broker
