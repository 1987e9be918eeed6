// ListOffsets 1-5: -1 (latest) is the high watermark, -2 (earliest) the log start offset, any
// other timestamp the first offset of the first batch whose max timestamp is at or after it (batch
// granularity, as the native ListOffsets: the answer may be a few records early, never late).
// Partitions of a topic the principal may not describe get TOPIC_AUTHORIZATION_FAILED.
#include <optional>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"

namespace choreo::broker {
namespace {

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaListOffsets(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  proto::Request native;
  proto::ListOffsetsRequest* list = native.mutable_list_offsets();
  const std::vector<kafka::Struct>& topics = request.GetStructs("topics");
  std::vector<bool> denied(topics.size());
  for (size_t t = 0; t < topics.size(); ++t) {
    const kafka::Struct& topic = topics[t];
    denied[t] = CheckTopic(call.ctx, AclOperation::kDescribe, topic.GetString("name")).has_value();
    if (denied[t]) continue;
    for (const kafka::Struct& partition : topic.GetStructs("partitions")) {
      proto::ListOffsetsRequest::Partition* p = list->add_partitions();
      p->set_topic(topic.GetString("name"));
      p->set_partition(static_cast<uint32_t>(partition.GetInt("partition_index")));
      const int64_t timestamp = partition.GetInt("timestamp");
      if (timestamp == kLatest) {
        p->set_spec(proto::ListOffsetsRequest::LATEST);
      } else if (timestamp == kEarliest) {
        p->set_spec(proto::ListOffsetsRequest::EARLIEST);
      } else {
        p->set_spec(proto::ListOffsetsRequest::TIMESTAMP);
        p->set_timestamp_ms(timestamp);
      }
    }
  }
  proto::Response listed;
  if (list->partitions_size() > 0) listed = co_await HandleListOffsets(call.ctx, native);
  kafka::Struct response = call.NewResponse();
  int index = 0;
  for (size_t t = 0; t < topics.size(); ++t) {
    const kafka::Struct& topic = topics[t];
    kafka::Struct& out_topic = response.AddStruct("topics");
    out_topic.SetString("name", topic.GetString("name"));
    for (const kafka::Struct& partition : topic.GetStructs("partitions")) {
      kafka::Struct& out = out_topic.AddStruct("partitions");
      out.SetInt("partition_index", partition.GetInt("partition_index"));
      if (denied[t]) {
        out.SetInt("error_code", kafka_error::kTopicAuthorizationFailed);
        out.SetInt("timestamp", -1);
        out.SetInt("offset", -1);
        continue;
      }
      if (listed.error().code() != proto::NONE ||
          index >= listed.list_offsets().partitions_size()) {
        out.SetInt("error_code",
                   KafkaErrorCode(listed.error().code() != proto::NONE ? listed.error().code()
                                                                       : proto::UNKNOWN));
        continue;
      }
      const proto::ListOffsetsResponse::Partition& p = listed.list_offsets().partitions(index++);
      out.SetInt("error_code", KafkaErrorCode(p.error().code()));
      out.SetInt("timestamp", -1);
      out.SetInt("offset", p.error().code() == proto::NONE ? p.offset() : -1);
      out.SetInt("leader_epoch", 0);
    }
  }
  co_return response;
}

}  // namespace choreo::broker
