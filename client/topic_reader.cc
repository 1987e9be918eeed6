#include "choreo/client/topic_reader.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"

namespace choreo {

Status ReadTopicToEnd(const ClientOptions& client, std::string_view topic,
                      std::chrono::milliseconds timeout,
                      const std::function<void(ConsumedRecord&&)>& visit) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(client);
  if (!admin.ok()) return admin.status();
  // ListTopics, not DescribeTopic: naming a missing topic in a metadata request would create it on
  // a broker that auto-creates topics, and a mistyped name must not leave a topic behind.
  Result<std::vector<TopicDescription>> topics = (*admin)->ListTopics();
  if (!topics.ok()) return topics.status();
  auto described = std::find_if(topics->begin(), topics->end(),
                                [&](const TopicDescription& t) { return t.name == topic; });
  if (described == topics->end()) {
    return Status(ErrorCode::kUnknownTopic, "topic '" + std::string(topic) + "' does not exist");
  }

  std::map<uint32_t, int64_t> ends;  // partition -> high watermark at the call
  std::vector<PartitionAssignment> assignments;
  for (const PartitionDescription& p : described->partitions) {
    if (p.high_watermark <= p.log_start_offset) continue;
    ends[p.partition] = p.high_watermark;
    assignments.push_back(PartitionAssignment{.partition = {std::string(topic), p.partition},
                                              .offset = p.log_start_offset});
  }
  if (assignments.empty()) return OkStatus();
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(ConsumerOptions{.client = client});
  if (!consumer.ok()) return consumer.status();
  if (Status s = (*consumer)->Assign(assignments); !s.ok()) return s;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ends.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(ErrorCode::kTimeout,
                    "reading topic '" + std::string(topic) + "' did not finish in time");
    }
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) return records.status();
    for (ConsumedRecord& r : *records) {
      auto end = ends.find(r.partition);
      if (end != ends.end() && r.offset < end->second) visit(std::move(r));
    }
    for (auto it = ends.begin(); it != ends.end();) {
      Result<int64_t> position = (*consumer)->Position({std::string(topic), it->first});
      it = position.ok() && *position >= it->second ? ends.erase(it) : std::next(it);
    }
  }
  (void)(*consumer)->Close();  // nothing to commit: no group
  return OkStatus();
}

}  // namespace choreo
