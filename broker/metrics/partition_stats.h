// PartitionStats: per-partition traffic counters (bytes and records produced and fetched), and the
// scrape-time collector that renders them together with each partition's log start and end
// offsets and stored bytes.
//
// Counters are keyed by topic id, which the store never reuses, so a deleted topic's counters
// cannot leak into a new topic of the same name; the collector renders only topics that still
// exist. A deleted topic's counters (32 bytes per partition) are kept, never freed: a request may
// still hold a pointer to them, and topic deletion is rare.
//
// Threading: thread-safe. Get() takes a shared lock for one hash lookup of a 64-bit key (an
// exclusive one only the first time a partition is seen); updates are relaxed atomic adds.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "broker/metrics/metrics.h"
#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

struct PartitionCounters {
  std::atomic<uint64_t> produced_bytes{0};
  std::atomic<uint64_t> produced_records{0};
  std::atomic<uint64_t> fetched_bytes{0};
  std::atomic<uint64_t> fetched_records{0};

  void Produced(uint64_t bytes, uint64_t records) {
    produced_bytes.fetch_add(bytes, std::memory_order_relaxed);
    produced_records.fetch_add(records, std::memory_order_relaxed);
  }
  void Fetched(uint64_t bytes, uint64_t records) {
    fetched_bytes.fetch_add(bytes, std::memory_order_relaxed);
    fetched_records.fetch_add(records, std::memory_order_relaxed);
  }
};

class PartitionStats {
 public:
  // The counters of one partition, created on first use. Never null; valid while this object
  // lives.
  PartitionCounters* Get(storage::TopicId topic, storage::PartitionId partition);

  // Writes the per-partition families for `topics` (the live topics), reading offsets and sizes
  // from `store` (in-memory, no I/O).
  void Collect(SampleWriter& writer, const std::vector<storage::TopicInfo>& topics,
               const storage::LogStore& store);

 private:
  static uint64_t Key(storage::TopicId topic, storage::PartitionId partition) {
    return (static_cast<uint64_t>(topic) << 32) | partition;
  }

  SharedMutex mu_;
  // unique_ptr: counters are handed out by pointer and must not move when the map rehashes.
  absl::flat_hash_map<uint64_t, std::unique_ptr<PartitionCounters>> counters_
      CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
