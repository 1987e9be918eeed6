// WriteRecovery: brings a store that refuses writes (WriteHealthState) back by itself.
//
// While the store refuses writes, a thread tries every StoreOptions::write_recovery_interval:
//   1. DB::Resume(): RocksDB retries the flush that failed (the probe: it fails again while the
//      disk is still full) and clears its background error (a no-op when it has none, or when
//      its own recovery, e.g. after "no space", got there first);
//   2. after a failed periodic WAL sync only: sync the WAL (the probe: a flush while the disk
//      still fails would turn RocksDB's error fatal), then flush every memtable to new SST files
//      and sync the WAL again. A failed fsync may have dropped the WAL's dirty pages (the kernel
//      marks them clean), so what was acknowledged since the last good sync is made durable from
//      memory.
// Only when both succeed are writes taken again (the committer's sticky sync error is cleared and
// the state says so). A failed step is left to the next attempt. After a failed WAL write, or an
// error RocksDB calls fatal, nothing is attempted (WriteHealth::recoverable is false; see
// write_health.cc for why): only reopening the store clears it.
//
// Lifecycle: Start() after the committer started; Stop() before the committer stops and the
// database closes (it joins the thread). Threading: one thread of its own.
#pragma once

#include <absl/status/status.h>

#include <thread>

#include "choreo/storage/log_store.h"
#include "storage/committer.h"
#include "storage/store_db.h"

namespace choreo::storage {

class WriteRecovery {
 public:
  // `db` and `committer` must outlive this object.
  WriteRecovery(StoreDb& db, Committer& committer, absl::Duration interval);
  ~WriteRecovery();
  WriteRecovery(const WriteRecovery&) = delete;
  WriteRecovery& operator=(const WriteRecovery&) = delete;

  void Start();
  void Stop();

 private:
  void Loop();
  // One attempt; OK when writes can be taken again.
  absl::Status Attempt();

  StoreDb& db_;
  Committer& committer_;
  const absl::Duration interval_;
  std::thread thread_;
};

}  // namespace choreo::storage
