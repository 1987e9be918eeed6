#include "tests/e2e/group_test_util.h"

#include <sstream>

#include "tests/e2e/process.h"

namespace choreo::e2e {

BackgroundProducer::BackgroundProducer(const ClientOptions& client, std::string topic,
                                       uint32_t partitions, int batches) {
  thread_ = std::thread([this, client, topic, partitions, batches] {
    Result<std::unique_ptr<Producer>> producer = Producer::Create({.client = client});
    if (!producer.ok()) {
      ADD_FAILURE() << producer.status().ToString();
      done_ = true;
      return;
    }
    for (int i = 0; i < batches && !stop_; ++i) {
      std::vector<Record> records;
      for (int r = 0; r < 5; ++r) {
        records.push_back(Record{"", "r" + std::to_string(i) + "-" + std::to_string(r), {}, 0});
      }
      Result<RecordMetadata> sent =
          (*producer)
              ->SendBatch(topic, static_cast<uint32_t>(i) % partitions, std::move(records))
              .get();
      if (!sent.ok()) ADD_FAILURE() << sent.status().ToString();
      produced_ += 5;
      std::this_thread::sleep_for(std::chrono::milliseconds(3));  // pacing, not synchronization
    }
    (void)(*producer)->Close(std::chrono::seconds(10));
    done_ = true;
  });
}

BackgroundProducer::~BackgroundProducer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::map<uint32_t, std::set<int64_t>> OffsetsInCliOutput(const std::filesystem::path& path) {
  std::map<uint32_t, std::set<int64_t>> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    uint32_t partition = 0;
    int64_t offset = 0;
    if (fields >> partition >> offset) out[partition].insert(offset);
  }
  return out;
}

std::map<TopicPartition, int64_t> EndOffsets(Admin& admin, const std::string& topic) {
  std::map<TopicPartition, int64_t> out;
  Result<TopicDescription> description = admin.DescribeTopic(topic);
  EXPECT_TRUE(description.ok()) << description.status().ToString();
  if (!description.ok()) return out;
  for (const PartitionDescription& p : description->partitions)
    out[{topic, p.partition}] = p.high_watermark;
  return out;
}

}  // namespace choreo::e2e
