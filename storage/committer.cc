#include "storage/committer.h"

#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <rocksdb/db.h>
#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <optional>
#include <utility>
#include <variant>

#include "choreo/storage/errors.h"
#include "choreo/storage/store_observer.h"
#include "storage/wall_clock.h"

namespace choreo::storage {
namespace {

// "append to topic 't' partition p" or "step of group 'g' (n batches)", for error messages.
std::string Describe(const QueuedWrite& write) {
  if (const auto* append = std::get_if<PendingAppend>(&write)) {
    return absl::StrCat("append to topic '", append->topic->info.name, "' partition ",
                        append->partition);
  }
  if (const auto* schedule = std::get_if<PendingSchedule>(&write)) return schedule->what;
  const PendingStep& step = std::get<PendingStep>(write);
  return absl::StrCat("step of group '", step.group, "' (", step.batches.size(), " batches)");
}

absl::Duration Since(std::chrono::steady_clock::time_point start) {
  return absl::FromChrono(std::chrono::steady_clock::now() - start);
}

// What to tell the caller of one queued write once the group is decided.
struct AppendDone {
  AppendCallback done;
  absl::StatusOr<AppendResult> result;
};
struct StepDone {
  StepCallback done;
  absl::StatusOr<StepResult> result;
};
struct ScheduleDone {
  DeliveryCallback done;
  absl::StatusOr<AppendResult> result;
};
using Completion = std::variant<AppendDone, StepDone, ScheduleDone>;

void SetError(Completion& completion, absl::Status error) {
  std::visit([&](auto& c) { c.result = std::move(error); }, completion);
}

// After a successful write: the log start of each appended (or duplicate) batch's partition.
void SetLogStarts(const QueuedWrite& write, Completion& completion) {
  auto log_start = [](const PendingAppend& append) {
    return append.topic->partitions[append.partition].log_start.load();
  };
  if (const auto* append = std::get_if<PendingAppend>(&write)) {
    std::get<AppendDone>(completion).result->log_start_offset = log_start(*append);
    return;
  }
  if (const auto* schedule = std::get_if<PendingSchedule>(&write)) {
    absl::StatusOr<AppendResult>& result = std::get<ScheduleDone>(completion).result;
    if (schedule->delivery.has_value() && result.ok()) {
      result->log_start_offset = log_start(*schedule->delivery);
    }
    return;
  }
  const PendingStep& step = std::get<PendingStep>(write);
  StepResult& result = *std::get<StepDone>(completion).result;
  for (size_t i = 0; i < step.batches.size(); ++i)
    result.batches[i].log_start_offset = log_start(step.batches[i]);
}

}  // namespace

struct Committer::GroupOutcome {
  std::vector<Completion> completions;  // in queue order, one per queued write
  std::vector<AdvancedPartition> advanced;
  // For the observer: set when the group wrote something.
  std::optional<GroupCommitStats> stats;
};

Committer::Committer(StoreDb& db, ProducerRegistry& producers, const EventIndex* index,
                     const StoreOptions& options)
    : db_(db), producers_(producers), index_(index), options_(options) {}

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
  Push(std::move(append));
}

void Committer::Enqueue(PendingStep step) {
  Push(std::move(step));
}

void Committer::Enqueue(PendingSchedule schedule) {
  Push(std::move(schedule));
}

void Committer::Push(QueuedWrite write) {
  {
    MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(write));
      queued_at_.push_back(std::chrono::steady_clock::now());
      queue_cv_.Signal();
      return;
    }
  }
  absl::Status closed = MakeStoreError(StoreErrorKind::kClosed,
                                       absl::StrCat(Describe(write), ": the store is closed"));
  std::visit([&](auto& w) { w.done(closed); }, write);
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
  absl::Status synced = db_.wal_files->SyncWals();
  if (!synced.ok() && status.ok()) status = synced;
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

bool Committer::WalSyncFailed() {
  return !StickyError().ok();
}

void Committer::ClearWalSyncError() {
  MutexLock lock(&sync_mu_);
  sync_error_ = absl::OkStatus();
}

void Committer::CommitLoop() {
  if (options_.observer != nullptr && options_.fsync == FsyncPolicy::kAlways) {
    // RocksDB times the WAL fsync in its per-thread I/O statistics only with timing enabled; this
    // thread only writes, so that costs a few clock reads per group, next to an fsync.
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeExceptForMutex);
  }
  while (true) {
    absl::Duration queue_wait;
    std::vector<QueuedWrite> group = TakeGroup(queue_wait);
    if (group.empty()) return;
    GroupOutcome outcome = CommitGroup(group, queue_wait);
    group.clear();  // release the batch bytes before running callbacks
    Complete(outcome);
  }
}

std::vector<QueuedWrite> Committer::TakeGroup(absl::Duration& queue_wait) {
  std::vector<QueuedWrite> group;
  MutexLock lock(&queue_mu_);
  while (queue_.empty() && !stopping_)
    queue_cv_.Wait(&queue_mu_);
  queue_wait = queued_at_.empty() ? absl::ZeroDuration() : Since(queued_at_.front());
  uint64_t bytes = 0;
  while (!queue_.empty()) {
    uint64_t size = BatchBytes(queue_.front());
    if (!group.empty() && bytes + size > options_.max_group_commit_bytes) break;
    bytes += size;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
    queued_at_.pop_front();
  }
  return group;
}

bool Committer::Stage(QueuedWrite& write, GroupBuilder& builder, const absl::Status& sticky,
                      GroupOutcome& outcome) {
  auto failed = [&] {
    return MakeStoreError(StoreErrorKindOf(sticky),
                          absl::StrCat(Describe(write), ": ", sticky.message()));
  };
  if (auto* append = std::get_if<PendingAppend>(&write)) {
    auto& done = std::get<AppendDone>(
        outcome.completions.emplace_back(AppendDone{std::move(append->done), AppendResult{}}));
    done.result = sticky.ok() ? builder.Add(*append) : failed();
    return done.result.ok();
  }
  if (auto* schedule = std::get_if<PendingSchedule>(&write)) {
    auto& done = std::get<ScheduleDone>(
        outcome.completions.emplace_back(ScheduleDone{std::move(schedule->done), AppendResult{}}));
    if (!sticky.ok()) {
      done.result = failed();
      return false;
    }
    // Its entries are staged even when the delivery's append is refused, so it always depends
    // on the write.
    done.result = builder.AddSchedule(*schedule);
    return true;
  }
  auto& step = std::get<PendingStep>(write);
  auto& done = std::get<StepDone>(
      outcome.completions.emplace_back(StepDone{std::move(step.done), StepResult{}}));
  done.result = sticky.ok() ? builder.AddStep(step) : failed();
  return done.result.ok();
}

Committer::GroupOutcome Committer::CommitGroup(std::vector<QueuedWrite>& group,
                                               absl::Duration queue_wait) {
  GroupOutcome outcome;
  outcome.completions.reserve(group.size());
  // Indices of the writes whose result depends on the write (appended or duplicate).
  std::vector<size_t> pending;
  GroupBuilder builder(db_, producers_, index_, WallClockMs(options_));

  MutexLock lock(&commit_mu_);
  const absl::Status sticky = StickyError();
  for (size_t i = 0; i < group.size(); ++i) {
    if (Stage(group[i], builder, sticky, outcome)) pending.push_back(i);
  }
  absl::Status status = builder.Seal();
  if (status.ok() && !builder.NothingStaged()) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.fsync == FsyncPolicy::kAlways;
    const uint64_t fsync_nanos_before = rocksdb::get_iostats_context()->fsync_nanos;
    const auto write_start = std::chrono::steady_clock::now();
    rocksdb::Status s = db_.db->Write(write_options, &builder.batch());
    if (s.ok() && options_.observer != nullptr) {
      const GroupBuilder::Staged& staged = builder.staged();
      outcome.stats = GroupCommitStats{
          .batches = staged.batches,
          .records = staged.records,
          .bytes = staged.bytes,
          .queue_wait = queue_wait,
          .write_duration = Since(write_start),
          .synced = write_options.sync,
          .sync_duration = write_options.sync
                               ? absl::Nanoseconds(rocksdb::get_iostats_context()->fsync_nanos -
                                                   fsync_nanos_before)
                               : absl::ZeroDuration()};
    }
    if (!s.ok()) {
      status =
          FromRocksStatus(s, absl::StrCat("group commit of ", builder.batch().Count(), " writes"));
      db_.health->Failed(std::string(status.message()), s.IsNoSpace());
    }
  }
  if (!status.ok()) {
    // Nothing of the group is visible or acknowledged; give its offsets to the next group. A
    // duplicate may point at a batch of this very group, so it fails too (a retry will find it).
    builder.Rollback();
    for (size_t i : pending) {
      SetError(outcome.completions[i],
               MakeStoreError(StoreErrorKindOf(status),
                              absl::StrCat(Describe(group[i]), " failed: ", status.message())));
    }
    return outcome;
  }
  if (!builder.NothingStaged() && options_.fsync == FsyncPolicy::kInterval) {
    wal_dirty_.store(true);
  }
  outcome.advanced = builder.Publish();
  for (size_t i : pending)
    SetLogStarts(group[i], outcome.completions[i]);
  return outcome;
}

void Committer::Complete(GroupOutcome& outcome) {
  // Before the acknowledgements, so whoever sees an append acknowledged also sees it counted.
  if (outcome.stats.has_value()) options_.observer->OnGroupCommit(*outcome.stats);
  for (Completion& completion : outcome.completions) {
    std::visit(
        [](auto& c) {
          if (c.done) c.done(std::move(c.result));
        },
        completion);
  }
  if (outcome.advanced.empty()) return;
  CommitListener listener;
  {
    MutexLock lock(&listener_mu_);
    listener = listener_;
  }
  if (!listener) return;
  for (const AdvancedPartition& a : outcome.advanced) {
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
    // Not under commit_mu_: appends keep going while the WAL syncs. Not through RocksDB's
    // SyncWAL() either, which can abort the process when it meets a write that just failed
    // (wal_sync.h).
    const auto sync_start = std::chrono::steady_clock::now();
    absl::Status s = db_.wal_files->SyncWals();
    if (options_.observer != nullptr) options_.observer->OnWalSync(Since(sync_start), s.ok());
    sync_mu_.Lock();
    if (!s.ok() && sync_error_.ok()) {
      sync_error_ =
          MakeStoreError(StoreErrorKindOf(s), absl::StrCat("periodic WAL sync: ", s.message()));
      db_.health->Failed(std::string(sync_error_.message()),
                         StoreErrorKindOf(s) == StoreErrorKind::kNoSpace);
    }
  }
}

}  // namespace choreo::storage
