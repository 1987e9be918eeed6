// LogStore::Impl, retention and flushing. The plan and the compaction are in retention.{h,cc};
// this file orders the steps and takes the locks (see log_store_impl.h).
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <optional>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/log_store_impl.h"
#include "storage/meta_format.h"
#include "storage/retention.h"

namespace choreo::storage {
namespace {

absl::Status ClosedError() {
  return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
}

}  // namespace

struct LogStore::Impl::Trim {
  std::shared_ptr<TopicState> topic;
  PartitionId partition = 0;
  RetentionPlan plan;
  // The byte position of the new log start, when the partition's size is known.
  std::optional<int64_t> start_bytes = std::nullopt;
  bool skipped = false;  // the topic was deleted meanwhile
};

absl::StatusOr<int64_t> LogStore::Impl::ApplyRetention(int64_t now_ms) {
  if (now_ms < 0) return absl::InvalidArgumentError("ApplyRetention: now_ms must be >= 0");
  MutexLock retention(&retention_mu_);
  std::vector<Trim> trims;
  {
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return ClosedError();
    for (std::shared_ptr<TopicState>& topic : registry_->States()) {
      const TopicConfig& config = topic->info.config;
      if (config.retention_ms < 0 && config.retention_bytes < 0) continue;
      for (PartitionId p = 0; p < topic->partitions.size(); ++p) {
        absl::StatusOr<RetentionPlan> plan =
            PlanRetention(*db_, topic->info, p, topic->partitions[p], now_ms,
                          options_.retention_min_trim_bytes, closing_);
        if (!plan.ok()) return plan.status();
        if (plan->trim) trims.push_back({.topic = topic, .partition = p, .plan = *plan});
      }
    }
  }
  if (trims.empty()) return 0;
  if (absl::Status s = CommitTrims(trims); !s.ok()) return s;

  int64_t dropped = 0;
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  for (const Trim& trim : trims) {
    if (trim.skipped) continue;
    dropped += trim.plan.dropped_bytes;
    absl::Status s = CompactTrimmedRange(*db_, trim.topic->info.id, trim.partition,
                                         trim.plan.new_log_start, &closing_);
    if (!s.ok()) return s;
  }
  return dropped;
}

absl::Status LogStore::Impl::CommitTrims(std::vector<Trim>& trims) {
  // The log starts move first: from here on no new read goes below them. If the write below
  // fails they stay moved in memory (the data merely becomes invisible early) and the next pass
  // or a restart sorts it out; nothing a reader may see is ever deleted first.
  for (Trim& trim : trims) {
    PartitionState& state = trim.topic->partitions[trim.partition];
    // Together, so GetOffsets() sees the log start and the size move at once.
    MutexLock size(&state.size_mu);
    state.log_start.store(trim.plan.new_log_start, std::memory_order_release);
    if (state.size_known) {
      state.size_base -= trim.plan.dropped_bytes;
      // -size_base is the new start's byte position. It can only be negative for a partition
      // whose positions count from Open (see PartitionState::end_bytes_durable), where it is
      // meaningless on disk anyway.
      if (state.size_base <= 0) trim.start_bytes = -state.size_base;
    }
  }
  ReaderMutexLock change(&topic_change_mu_);
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  rocksdb::WriteBatch batch;
  for (Trim& trim : trims) {
    // Under topic_change_mu_, so the flag is final: never write keys of a deleted topic.
    trim.skipped = trim.topic->deleted.load();
    if (trim.skipped) continue;
    const TopicId id = trim.topic->info.id;
    const std::string begin = PartitionKeyRange(id, trim.partition).begin;
    const std::string end(
        AsStringView(EncodeRecordKey(id, trim.partition, trim.plan.new_log_start)));
    rocksdb::Status s = batch.Put(
        db_->meta, LogStartMetaKey(id, trim.partition),
        EncodeLogStart({.offset = trim.plan.new_log_start, .start_bytes = trim.start_bytes}));
    // From offset 0, not the old log start: also removes what an interrupted pass left behind.
    if (s.ok()) s = batch.DeleteRange(db_->records, begin, end);
    if (!s.ok()) return FromRocksStatus(s, "stage retention");
  }
  if (batch.Count() == 0) return absl::OkStatus();
  if (absl::Status refused = db_->CheckWritable("retention"); !refused.ok()) return refused;
  rocksdb::WriteOptions options;
  options.sync = options_.fsync != FsyncPolicy::kNever;
  rocksdb::Status s = db_->db->Write(options, &batch);
  if (!s.ok())
    return FromRocksStatus(s, absl::StrCat("retention of ", trims.size(), " partitions"));
  return absl::OkStatus();
}

absl::Status LogStore::Impl::Flush() {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  rocksdb::FlushOptions options;
  options.wait = true;
  rocksdb::Status s =
      db_->db->Flush(options, {db_->records, db_->meta, db_->offsets, db_->producers, db_->events});
  if (!s.ok()) return FromRocksStatus(s, "flush");
  return absl::OkStatus();
}

}  // namespace choreo::storage
