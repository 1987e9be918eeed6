#include "broker/metrics/partition_stats.h"

#include <string>
#include <utility>

namespace choreo::broker {

PartitionCounters* PartitionStats::Get(storage::TopicId topic, storage::PartitionId partition) {
  const uint64_t key = Key(topic, partition);
  {
    ReaderMutexLock lock(&mu_);
    auto it = counters_.find(key);
    if (it != counters_.end()) return it->second.get();
  }
  WriterMutexLock lock(&mu_);
  std::unique_ptr<PartitionCounters>& slot = counters_[key];
  if (!slot) slot = std::make_unique<PartitionCounters>();
  return slot.get();
}

void PartitionStats::Collect(SampleWriter& writer, const std::vector<storage::TopicInfo>& topics,
                             const storage::LogStore& store) {
  struct Row {
    std::vector<std::pair<std::string, std::string>> labels;
    storage::PartitionOffsets offsets;
    const PartitionCounters* counters = nullptr;  // null: no traffic since start-up
  };
  std::vector<Row> rows;
  {
    ReaderMutexLock lock(&mu_);
    for (const storage::TopicInfo& topic : topics) {
      for (storage::PartitionId p = 0; p < topic.config.partitions; ++p) {
        absl::StatusOr<storage::PartitionOffsets> offsets = store.GetOffsets(topic.name, p);
        if (!offsets.ok()) continue;  // deleted since the topic list was taken
        auto it = counters_.find(Key(topic.id, p));
        rows.push_back(Row{{{"topic", topic.name}, {"partition", std::to_string(p)}},
                           *offsets,
                           it == counters_.end() ? nullptr : it->second.get()});
      }
    }
  }
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    writer.Family(name, type, help);
    for (const Row& row : rows)
      writer.Sample(name, row.labels, static_cast<double>(value(row)));
  };
  auto counter = [&](const std::atomic<uint64_t> PartitionCounters::*field) {
    return [field](const Row& row) -> uint64_t {
      return row.counters == nullptr ? 0 : (row.counters->*field).load(std::memory_order_relaxed);
    };
  };
  family("choreo_partition_log_start_offset", "gauge",
         "First offset still stored in the partition (moves with retention).",
         [](const Row& row) { return row.offsets.log_start_offset; });
  family("choreo_partition_log_end_offset", "gauge",
         "Offset the next record appended to the partition will get (the high watermark).",
         [](const Row& row) { return row.offsets.high_watermark; });
  // Only where the store knows the size (it does not scan a partition at start-up to find out).
  writer.Family("choreo_partition_bytes", "gauge",
                "Record batch bytes stored in the partition between its log start and end.");
  for (const Row& row : rows) {
    if (row.offsets.stored_bytes >= 0) {
      writer.Sample("choreo_partition_bytes", row.labels,
                    static_cast<double>(row.offsets.stored_bytes));
    }
  }
  family("choreo_partition_produced_bytes_total", "counter",
         "Record batch bytes appended to the partition since the broker started.",
         counter(&PartitionCounters::produced_bytes));
  family("choreo_partition_produced_records_total", "counter",
         "Records appended to the partition since the broker started.",
         counter(&PartitionCounters::produced_records));
  family("choreo_partition_fetched_bytes_total", "counter",
         "Record batch bytes returned by fetches from the partition since the broker started.",
         counter(&PartitionCounters::fetched_bytes));
  family("choreo_partition_fetched_records_total", "counter",
         "Records returned by fetches from the partition since the broker started.",
         counter(&PartitionCounters::fetched_records));
}

}  // namespace choreo::broker
