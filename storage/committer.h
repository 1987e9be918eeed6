// Committer: turns queued appends into group commits.
//
// Append() and AppendStep() callers only push onto a queue. One committer thread takes everything
// queued (up to max_group_commit_bytes, at least one append), assigns offsets in queue order per
// partition, writes all of it as one rocksdb::WriteBatch (one WAL write; under kAlways one fsync),
// and only then advances the high watermarks, runs the callbacks and tells the CommitListener.
// Appends that arrive while a group is being written form the next group. If the write fails, every
// append of the group fails and the partitions' next offsets and producer state are rolled back, so
// offsets stay dense (GroupBuilder does the per-append work). A group of nothing but duplicates
// writes nothing but still completes in queue order.
//
// Under kInterval a second thread syncs the WAL every fsync_interval, alongside group commits (it
// takes no lock that appends need); a failed sync is sticky: every later append fails (after a
// failed fsync the kernel may have dropped the dirty pages) until WriteRecovery has made the data
// durable another way. Every failed write and sync is reported to StoreDb::health.
//
// StoreOptions::observer, if set, is told about each group that wrote something (batches, bytes,
// write and fsync time) on the committer thread before the group's callbacks run, and about each
// periodic WAL sync on the sync thread.
//
// Lifecycle: Start() once, then Enqueue() from any thread, then Stop() (idempotent; the destructor
// calls it). Callbacks and the listener run on the committer thread with no lock held; they must
// not block and must not call Stop()/LogStore::Close().
#pragma once

#include <absl/functional/function_ref.h>
#include <absl/status/status.h>
#include "choreo/common/mutex.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/event_index.h"
#include "storage/group_builder.h"
#include "storage/pending_append.h"
#include "storage/producer_registry.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"

namespace choreo::storage {

class Committer {
 public:
  // `db` and `producers` must outlive the committer.
  // `index` (may be null) receives each indexed append's entries in the same write.
  Committer(StoreDb& db, ProducerRegistry& producers, const EventIndex* index,
            const StoreOptions& options);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void Start();
  // Queue an append or a step; after Stop() began, fail it at once (kClosed) on the caller's
  // thread.
  void Enqueue(PendingAppend append);
  void Enqueue(PendingStep step);
  void Enqueue(PendingSchedule schedule);
  // Stops accepting appends, commits everything already queued, joins the threads and syncs the
  // WAL. Returns the first error of the final sync or of a background sync. Idempotent.
  absl::Status Stop();

  void SetCommitListener(CommitListener listener);

  // Runs `fn` while no group is being built or written (used to delete a topic between groups,
  // and wherever PartitionState::next_offset or ::producers must be read consistently).
  absl::Status RunExclusive(absl::FunctionRef<absl::Status()> fn);

  // True on the committer thread, i.e. inside an append callback or the commit listener.
  bool OnCommitterThread() const;

  // Whether a periodic WAL sync failed (every append fails until ClearWalSyncError()).
  bool WalSyncFailed();
  // For WriteRecovery, once what that sync should have made durable is durable again.
  void ClearWalSyncError();

 private:
  struct GroupOutcome;

  // Enqueue()'s work: queue it, or fail it with kClosed.
  void Push(QueuedWrite write);
  void CommitLoop();
  void SyncLoop();
  // Blocks until work is queued; empty once stopping and drained. Sets `queue_wait` to how long
  // the group's oldest write waited.
  std::vector<QueuedWrite> TakeGroup(absl::Duration& queue_wait);
  // Assigns offsets to and writes one group; returns what to tell whom. Holds commit_mu_.
  GroupOutcome CommitGroup(std::vector<QueuedWrite>& group, absl::Duration queue_wait);
  // Stages one queued write into `builder` (or fails it with `sticky`) and records its completion
  // in `outcome`. Returns true if its result depends on the group's write.
  bool Stage(QueuedWrite& write, GroupBuilder& builder, const absl::Status& sticky,
             GroupOutcome& outcome);
  void Complete(GroupOutcome& outcome);
  absl::Status StickyError();

  StoreDb& db_;
  ProducerRegistry& producers_;
  const EventIndex* index_;
  const StoreOptions options_;

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<QueuedWrite> queue_ CHOREO_GUARDED_BY(queue_mu_);
  // When each write of queue_ was queued (same order), for GroupCommitStats::queue_wait.
  std::deque<std::chrono::steady_clock::time_point> queued_at_ CHOREO_GUARDED_BY(queue_mu_);
  bool stopping_ CHOREO_GUARDED_BY(queue_mu_) = false;

  // Held while a group is built and written; see RunExclusive().
  Mutex commit_mu_;

  Mutex sync_mu_;
  CondVar sync_cv_;
  bool sync_stop_ CHOREO_GUARDED_BY(sync_mu_) = false;
  absl::Status sync_error_ CHOREO_GUARDED_BY(sync_mu_);
  // Set after an unsynced write under kInterval, cleared by the sync thread.
  std::atomic<bool> wal_dirty_{false};

  Mutex listener_mu_;
  CommitListener listener_ CHOREO_GUARDED_BY(listener_mu_);

  Mutex stop_mu_;
  bool stopped_ CHOREO_GUARDED_BY(stop_mu_) = false;
  absl::Status stop_status_ CHOREO_GUARDED_BY(stop_mu_);

  std::thread commit_thread_;
  std::thread sync_thread_;
};

}  // namespace choreo::storage
