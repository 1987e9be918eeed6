// StorageMetrics: the store's write path as histograms (group commit sizes, RocksDB write and WAL
// fsync latency), fed by the store through storage::StoreObserver; and the scrape-time collector
// for RocksDB's own statistics (SST and memtable sizes, compaction backlog).
//
// Threading: the observer methods run on the store's committer and WAL sync threads; they only
// update histograms (relaxed atomics: no lock, no allocation). Ownership: the registry is borrowed
// and must outlive this object; this object must outlive the store it observes.
#pragma once

#include "broker/metrics/metrics.h"
#include "choreo/storage/log_store.h"
#include "choreo/storage/store_observer.h"

namespace choreo::broker {

class StorageMetrics : public storage::StoreObserver {
 public:
  explicit StorageMetrics(MetricsRegistry& registry);

  void OnGroupCommit(const storage::GroupCommitStats& stats) override;
  void OnWalSync(absl::Duration duration, bool ok) override;

 private:
  Histogram* group_commit_batches_;
  Histogram* group_commit_records_;
  Histogram* group_commit_bytes_;
  Histogram* write_seconds_;
  Histogram* fsync_seconds_;
  Counter* fsync_failures_;
  Histogram* commit_queue_hop_;
  Histogram* storage_write_hop_;
};

// choreo_rocksdb_*: RocksDB's sizes and compaction state from `store` (in-memory properties, no
// I/O). Writes nothing if the store is closed.
void CollectDbStats(SampleWriter& writer, const storage::LogStore& store);

// choreo_storage_write_errors_total, choreo_storage_writes_refused and
// choreo_storage_write_recoveries_total: whether the store refuses writes (a full disk, an I/O
// error) and how often that happened (storage::WriteHealth). No I/O.
void CollectWriteHealth(SampleWriter& writer, const storage::LogStore& store);

}  // namespace choreo::broker
