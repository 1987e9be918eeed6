#include "topic_scan.h"

#include <chrono>
#include <memory>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/common/rfc3339.h"

namespace choreo::bench {

const std::string* HeaderValue(const Record& record, std::string_view key) {
  for (const Header& h : record.headers) {
    if (h.key == key) return &h.value;
  }
  return nullptr;
}

Result<ScanResult> ScanTopic(const ClientOptions& client, const std::string& topic,
                             const std::map<uint32_t, int64_t>& starts,
                             const std::function<bool(const ConsumedRecord&)>& match) {
  const auto began = std::chrono::steady_clock::now();
  auto admin = Admin::Connect(client);
  if (!admin.ok()) return admin.status();
  auto described = (*admin)->DescribeTopic(topic);
  if (!described.ok()) return described.status();

  std::map<uint32_t, int64_t> ends;  // partition -> high watermark at the call
  std::vector<PartitionAssignment> assignments;
  for (const PartitionDescription& p : described->partitions) {
    auto start = starts.find(p.partition);
    const int64_t from = start == starts.end() ? p.log_start_offset : start->second;
    if (p.high_watermark <= from) continue;
    ends[p.partition] = p.high_watermark;
    assignments.push_back({.partition = {topic, p.partition}, .offset = from});
  }
  ScanResult result;
  if (!assignments.empty()) {
    auto consumer = Consumer::Create(ConsumerOptions{.client = client});
    if (!consumer.ok()) return consumer.status();
    if (Status s = (*consumer)->Assign(assignments); !s.ok()) return s;
    while (!ends.empty()) {
      auto records = (*consumer)->Poll(std::chrono::milliseconds(200));
      if (!records.ok()) return records.status();
      for (const ConsumedRecord& r : *records) {
        auto end = ends.find(r.partition);
        if (end == ends.end() || r.offset >= end->second) continue;
        ++result.records_read;
        if (!match(r)) continue;
        const std::string* time = HeaderValue(r.record, "ce_time");
        result.hits.push_back(
            {.partition = r.partition,
             .offset = r.offset,
             .time_ms = time ? ParseRfc3339Millis(*time).value_or(r.record.timestamp_ms)
                             : r.record.timestamp_ms});
      }
      for (auto it = ends.begin(); it != ends.end();) {
        auto position = (*consumer)->Position({topic, it->first});
        it = position.ok() && *position >= it->second ? ends.erase(it) : std::next(it);
      }
    }
    (void)(*consumer)->Close();  // no group: nothing to commit
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return result;
}

}  // namespace choreo::bench
