#include "log_check.h"

#include <chrono>
#include <map>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreography.h"

namespace choreo::bench {

Result<LogCounts> CountCompletedInLog(const std::string& broker, const std::string& topic,
                                      uint64_t sagas) {
  ClientOptions client;
  client.broker = broker;
  client.client_id = "choreo-saga-bench-check";
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(client);
  if (!admin.ok()) return admin.status();
  Result<TopicDescription> described = (*admin)->DescribeTopic(topic);
  if (!described.ok()) return described.status();

  std::map<TopicPartition, int64_t> ends;
  std::vector<PartitionAssignment> assignments;
  for (uint32_t p = 0; p < described->partitions.size(); ++p) {
    const TopicPartition tp{topic, p};
    Result<int64_t> end = (*admin)->ListOffset(tp, OffsetSpec::kLatest);
    if (!end.ok()) return end.status();
    if (*end > 0) ends[tp] = *end;
    assignments.push_back({.partition = tp, .offset = 0});
  }
  LogCounts counts;
  counts.per_saga.assign(sagas, 0);
  if (ends.empty()) return counts;

  ConsumerOptions consumer_options;
  consumer_options.client = client;
  consumer_options.max_wait = std::chrono::milliseconds(100);
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(consumer_options);
  if (!consumer.ok()) return consumer.status();
  if (Status s = (*consumer)->Assign(assignments); !s.ok()) return s;

  auto last_progress = std::chrono::steady_clock::now();
  while (!ends.empty()) {
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) return records.status();
    if (!records->empty()) last_progress = std::chrono::steady_clock::now();
    for (const ConsumedRecord& r : *records) {
      const auto end = ends.find(TopicPartition{r.topic, r.partition});
      if (end == ends.end() || r.offset >= end->second) continue;  // written after the call began
      ++counts.records;
      uint64_t seq = 0;
      if (SagaSeqOf(r.record.key, &seq) && seq < sagas) {
        ++counts.per_saga[seq];
      } else {
        ++counts.foreign;
      }
    }
    for (auto it = ends.begin(); it != ends.end();) {
      Result<int64_t> position = (*consumer)->Position(it->first);
      it = position.ok() && *position >= it->second ? ends.erase(it) : std::next(it);
    }
    if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(60)) {
      return Status(ErrorCode::kTimeout, "reading " + topic + " made no progress for 60 s");
    }
  }
  (void)(*consumer)->Close();
  return counts;
}

}  // namespace choreo::bench
