#include "storage/committer.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <utility>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

struct Touched {
  TopicId topic_id = 0;
  PartitionId partition = 0;
  Offset next_offset_before = 0;
};

std::string Where(const PendingAppend& append) {
  return absl::StrCat("topic '", append.topic->info.name, "' partition ", append.partition);
}

}  // namespace

struct Committer::GroupOutcome {
  struct Completion {
    AppendCallback done;
    absl::StatusOr<AppendResult> result;
  };
  struct Advanced {
    TopicId topic_id;
    PartitionId partition;
    Offset high_watermark;
  };
  std::vector<Completion> completions;
  std::vector<Advanced> advanced;
};

Committer::Committer(StoreDb& db, const StoreOptions& options) : db_(db), options_(options) {}

Committer::~Committer() {
  Stop().IgnoreError();
}

void Committer::Start() {
  commit_thread_ = std::thread([this] { CommitLoop(); });
  if (options_.fsync == FsyncPolicy::kInterval) {
    sync_thread_ = std::thread([this] { SyncLoop(); });
  }
}

bool Committer::OnCommitterThread() const {
  return std::this_thread::get_id() == commit_thread_.get_id();
}

void Committer::Enqueue(PendingAppend append) {
  {
    MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(append));
      queue_cv_.Signal();
      return;
    }
  }
  append.done(MakeStoreError(StoreErrorKind::kClosed,
                             absl::StrCat("append to ", Where(append), ": the store is closed")));
}

absl::Status Committer::Stop() {
  if (OnCommitterThread()) {
    return absl::FailedPreconditionError("the store cannot be closed from an append callback");
  }
  MutexLock stop(&stop_mu_);
  if (stopped_) return stop_status_;
  stopped_ = true;
  {
    MutexLock lock(&queue_mu_);
    stopping_ = true;
    queue_cv_.SignalAll();
  }
  if (commit_thread_.joinable()) commit_thread_.join();
  {
    MutexLock lock(&sync_mu_);
    sync_stop_ = true;
    sync_cv_.SignalAll();
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  absl::Status status = StickyError();
  // After a failed write the WAL writer is poisoned, and Debian's RocksDB (built with assertions)
  // aborts on a FlushWAL through it; the failed group was never acknowledged, so skip the sync.
  if (!write_failed_.load()) {
    rocksdb::Status s = db_.db->FlushWAL(/*sync=*/true);
    if (!s.ok() && status.ok()) status = FromRocksStatus(s, "final WAL sync");
  }
  stop_status_ = status;
  return status;
}

void Committer::SetCommitListener(CommitListener listener) {
  MutexLock lock(&listener_mu_);
  listener_ = std::move(listener);
}

absl::Status Committer::RunExclusive(absl::FunctionRef<absl::Status()> fn) {
  MutexLock lock(&commit_mu_);
  return fn();
}

absl::Status Committer::StickyError() {
  MutexLock lock(&sync_mu_);
  return sync_error_;
}

void Committer::CommitLoop() {
  while (true) {
    std::vector<PendingAppend> group = TakeGroup();
    if (group.empty()) return;
    GroupOutcome outcome = CommitGroup(group);
    group.clear();  // release the batch bytes before running callbacks
    Complete(outcome);
  }
}

std::vector<PendingAppend> Committer::TakeGroup() {
  std::vector<PendingAppend> group;
  MutexLock lock(&queue_mu_);
  while (queue_.empty() && !stopping_)
    queue_cv_.Wait(&queue_mu_);
  uint64_t bytes = 0;
  while (!queue_.empty()) {
    uint64_t size = queue_.front().batch.size();
    if (!group.empty() && bytes + size > options_.max_group_commit_bytes) break;
    bytes += size;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

Committer::GroupOutcome Committer::CommitGroup(std::vector<PendingAppend>& group) {
  GroupOutcome outcome;
  outcome.completions.reserve(group.size());
  std::vector<Offset> bases(group.size(), -1);
  absl::flat_hash_map<PartitionState*, Touched> touched;
  rocksdb::WriteBatch batch;

  MutexLock lock(&commit_mu_);
  const absl::Status sticky = StickyError();
  for (size_t i = 0; i < group.size(); ++i) {
    PendingAppend& append = group[i];
    outcome.completions.push_back({.done = std::move(append.done), .result = AppendResult{}});
    absl::StatusOr<AppendResult>& result = outcome.completions.back().result;
    if (!sticky.ok()) {
      result = MakeStoreError(StoreErrorKindOf(sticky),
                              absl::StrCat("append to ", Where(append), ": ", sticky.message()));
      continue;
    }
    if (append.topic->deleted.load()) {
      result = MakeStoreError(StoreErrorKind::kUnknownTopic,
                              absl::StrCat("append to ", Where(append), ": topic was deleted"));
      continue;
    }
    PartitionState& partition = append.topic->partitions[append.partition];
    touched.try_emplace(&partition,
                        Touched{append.topic->info.id, append.partition, partition.next_offset});
    const Offset base = partition.next_offset;
    RecordKey key = EncodeRecordKey(append.topic->info.id, append.partition, base);
    BatchHeaderBytes header = EncodeBatchHeader(append.fields, append.batch);
    rocksdb::Slice key_part(key.data(), key.size());
    rocksdb::Slice value_parts[2] = {rocksdb::Slice(header.data(), header.size()),
                                     rocksdb::Slice(append.batch)};
    rocksdb::Status s = batch.Put(db_.records, rocksdb::SliceParts(&key_part, 1),
                                  rocksdb::SliceParts(value_parts, 2));
    if (!s.ok()) {
      result = MakeStoreError(StoreErrorKind::kInvalidBatch,
                              absl::StrCat("append to ", Where(append), ": ", s.ToString()));
      continue;
    }
    partition.next_offset += append.fields.record_count;
    bases[i] = base;
  }
  if (batch.Count() == 0) return outcome;

  rocksdb::WriteOptions write_options;
  write_options.sync = options_.fsync == FsyncPolicy::kAlways;
  rocksdb::Status s = db_.db->Write(write_options, &batch);
  if (!s.ok()) {
    write_failed_.store(true);
    // Nothing of the group is visible or acknowledged; give its offsets to the next group.
    for (auto& [partition, t] : touched)
      partition->next_offset = t.next_offset_before;
    absl::Status error =
        FromRocksStatus(s, absl::StrCat("group commit of ", batch.Count(), " batches"));
    for (size_t i = 0; i < group.size(); ++i) {
      if (bases[i] < 0) continue;
      outcome.completions[i].result =
          MakeStoreError(StoreErrorKindOf(error),
                         absl::StrCat("append to ", Where(group[i]), " failed: ", error.message()));
    }
    return outcome;
  }
  if (options_.fsync == FsyncPolicy::kInterval) wal_dirty_.store(true);
  for (auto& [partition, t] : touched) {
    partition->high_watermark.store(partition->next_offset, std::memory_order_release);
    outcome.advanced.push_back({t.topic_id, t.partition, partition->next_offset});
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (bases[i] < 0) continue;
    const PartitionState& partition = group[i].topic->partitions[group[i].partition];
    outcome.completions[i].result =
        AppendResult{.base_offset = bases[i], .log_start_offset = partition.log_start.load()};
  }
  return outcome;
}

void Committer::Complete(GroupOutcome& outcome) {
  for (GroupOutcome::Completion& completion : outcome.completions) {
    if (completion.done) completion.done(std::move(completion.result));
  }
  if (outcome.advanced.empty()) return;
  CommitListener listener;
  {
    MutexLock lock(&listener_mu_);
    listener = listener_;
  }
  if (!listener) return;
  for (const GroupOutcome::Advanced& a : outcome.advanced) {
    listener(a.topic_id, a.partition, a.high_watermark);
  }
}

void Committer::SyncLoop() {
  MutexLock lock(&sync_mu_);
  while (!sync_stop_) {
    const auto deadline =
        std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(options_.fsync_interval);
    while (!sync_stop_ && std::chrono::steady_clock::now() < deadline) {
      sync_cv_.WaitUntil(&sync_mu_, deadline);
    }
    if (sync_stop_) return;
    if (!wal_dirty_.exchange(false)) continue;
    sync_mu_.Unlock();
    // Under commit_mu_ so a failing group commit cannot poison the WAL writer mid-sync (see Stop).
    rocksdb::Status s = rocksdb::Status::OK();
    {
      MutexLock commit(&commit_mu_);
      if (!write_failed_.load()) s = db_.db->FlushWAL(/*sync=*/true);
    }
    sync_mu_.Lock();
    if (!s.ok() && sync_error_.ok()) sync_error_ = FromRocksStatus(s, "periodic WAL sync");
  }
}

}  // namespace choreo::storage
