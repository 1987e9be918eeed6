// StoreObserver: how a LogStore reports what its write path does, for metrics.
//
// Set StoreOptions::observer before LogStore::Open(). The store calls it on its own threads after
// each group commit and each periodic WAL sync; the calls must be cheap and must not block or call
// back into the store (they run on the committer thread, between a group's write and its
// acknowledgements). The store passes everything by value or const reference and allocates
// nothing for the call.
//
// Ownership: the store does NOT own the observer; it must outlive the store (until Close()
// returned).
#pragma once

#include <absl/time/time.h>

#include <cstdint>

namespace choreo::storage {

// One group commit that wrote something (groups of nothing but duplicates or errors are not
// reported, nor are failed writes).
struct GroupCommitStats {
  // Appends (record batches) written by the group, and the records and batch bytes they hold.
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  // How long the group's oldest write waited in the committer's queue before the group was taken
  // (the wait behind the previous group's write and fsync, plus waking the committer).
  absl::Duration queue_wait = absl::ZeroDuration();
  // Time spent in the RocksDB write of the group's WriteBatch (WAL append, memtable insert and,
  // under FsyncPolicy::kAlways, the WAL fsync).
  absl::Duration write_duration = absl::ZeroDuration();
  // True under FsyncPolicy::kAlways: the write included a WAL fsync.
  bool synced = false;
  // The part of write_duration spent in fsync/fdatasync of the WAL, as measured by RocksDB's
  // per-thread I/O statistics. Zero unless synced.
  absl::Duration sync_duration = absl::ZeroDuration();
};

class StoreObserver {
 public:
  virtual ~StoreObserver() = default;

  // After a group commit's write succeeded, before its appends are acknowledged. Committer thread.
  virtual void OnGroupCommit(const GroupCommitStats& stats) = 0;

  // After a periodic WAL sync under FsyncPolicy::kInterval (FlushWAL with sync), whether or not
  // it succeeded. WAL sync thread.
  virtual void OnWalSync(absl::Duration duration, bool ok) = 0;
};

}  // namespace choreo::storage
