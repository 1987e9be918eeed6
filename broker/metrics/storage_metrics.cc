#include "broker/metrics/storage_metrics.h"

#include <absl/status/statusor.h>

#include <cstdint>

namespace choreo::broker {

StorageMetrics::StorageMetrics(MetricsRegistry& registry)
    : group_commit_batches_(registry.GetHistogram(
          "choreo_group_commit_batches",
          "Record batches (appends) written by one group commit: how many appends share a write "
          "and its fsync.",
          SizeBuckets())),
      group_commit_records_(registry.GetHistogram(
          "choreo_group_commit_records", "Records written by one group commit.", SizeBuckets())),
      group_commit_bytes_(registry.GetHistogram("choreo_group_commit_bytes",
                                                "Record batch bytes written by one group commit.",
                                                SizeBuckets())),
      write_seconds_(registry.GetHistogram(
          "choreo_storage_write_duration_seconds",
          "Duration of one group commit's RocksDB write (WAL append and memtable insert; under "
          "--fsync=always the WAL fsync too).",
          LatencyBucketsSeconds())),
      fsync_seconds_(registry.GetHistogram(
          "choreo_fsync_duration_seconds",
          "Duration of one WAL fsync: the sync inside a group commit's write under "
          "--fsync=always, the periodic WAL sync under --fsync=interval.",
          LatencyBucketsSeconds())),
      fsync_failures_(registry.GetCounter(
          "choreo_fsync_failures_total",
          "Periodic WAL syncs that failed (appends then fail until the store has recovered: "
          "choreo_storage_writes_refused).")),
      commit_queue_hop_(HopHistogram(registry, "commit_queue")),
      storage_write_hop_(HopHistogram(registry, "storage_write")) {}

void StorageMetrics::OnGroupCommit(const storage::GroupCommitStats& stats) {
  group_commit_batches_->Observe(static_cast<double>(stats.batches));
  group_commit_records_->Observe(static_cast<double>(stats.records));
  group_commit_bytes_->Observe(static_cast<double>(stats.bytes));
  write_seconds_->Observe(absl::ToDoubleSeconds(stats.write_duration));
  commit_queue_hop_->Observe(absl::ToDoubleSeconds(stats.queue_wait));
  storage_write_hop_->Observe(absl::ToDoubleSeconds(stats.write_duration));
  if (stats.synced) fsync_seconds_->Observe(absl::ToDoubleSeconds(stats.sync_duration));
}

void StorageMetrics::OnWalSync(absl::Duration duration, bool ok) {
  fsync_seconds_->Observe(absl::ToDoubleSeconds(duration));
  if (!ok) fsync_failures_->Increment();
}

void CollectDbStats(SampleWriter& writer, const storage::LogStore& store) {
  absl::StatusOr<storage::DbStats> stats = store.GetDbStats();
  if (!stats.ok()) return;
  auto gauge = [&writer](const char* name, const char* help, uint64_t value) {
    writer.Family(name, "gauge", help);
    writer.Sample(name, {}, static_cast<double>(value));
  };
  gauge("choreo_rocksdb_sst_bytes",
        "Bytes of all SST files, including obsolete ones not deleted yet (summed over column "
        "families).",
        stats->total_sst_bytes);
  gauge("choreo_rocksdb_live_sst_bytes", "Bytes of the SST files of the current version.",
        stats->live_sst_bytes);
  gauge("choreo_rocksdb_pending_compaction_bytes",
        "Bytes RocksDB estimates compaction must rewrite to get every level under its target; "
        "growth means compaction is falling behind (writes get slowed, then stopped).",
        stats->pending_compaction_bytes);
  gauge("choreo_rocksdb_memtable_bytes", "Bytes of active and unflushed immutable memtables.",
        stats->memtable_bytes);
  gauge("choreo_rocksdb_running_compactions", "Compactions running now.",
        stats->running_compactions);
  gauge("choreo_rocksdb_running_flushes", "Memtable flushes running now.", stats->running_flushes);
  gauge("choreo_rocksdb_block_cache_bytes", "Memory held by the shared block cache.",
        stats->block_cache_bytes);
  gauge("choreo_producer_ids",
        "Idempotent producers whose id, epoch and sequence state the broker keeps (allocated and "
        "not expired, see --producer-id-expiration-ms); each costs memory and start-up time.",
        stats->producer_ids);
}

void CollectWriteHealth(SampleWriter& writer, const storage::LogStore& store) {
  const storage::WriteHealth health = store.GetWriteHealth();
  writer.Family("choreo_storage_write_errors_total", "counter",
                "Failed storage writes: group commits, periodic WAL syncs, RocksDB flushes and "
                "compactions (a full disk, an I/O error).");
  writer.Sample("choreo_storage_write_errors_total", {}, static_cast<double>(health.write_errors));
  writer.Family("choreo_storage_writes_refused", "gauge",
                "1 while the store refuses writes after a failure (produce answers "
                "NOT_ENOUGH_SPACE or STORAGE_ERROR; /readyz says why and whether it retries by "
                "itself or needs a restart).");
  writer.Sample("choreo_storage_writes_refused", {}, health.refusing ? 1.0 : 0.0);
  writer.Family("choreo_storage_write_recoveries_total", "counter",
                "Times the store took writes again by itself after refusing them.");
  writer.Sample("choreo_storage_write_recoveries_total", {},
                static_cast<double>(health.recoveries));
}

}  // namespace choreo::broker
