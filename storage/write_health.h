// WriteHealthState: whether the store takes writes, and why not.
//
// Every failed write reports here: a group commit's (committer thread), a periodic WAL sync's
// (sync thread), and RocksDB's background flushes and compactions (its EventListener,
// NewWriteErrorListener). Once something failed the store "refuses writes" until WriteRecovery
// (write_recovery.h) has brought RocksDB back and a probe write succeeded; only it calls
// Recovered(). What LogStore::GetWriteHealth() reports, for /readyz and the metrics.
//
// Thread-safe; Failed() is cheap and never blocks on I/O (RocksDB calls the listener with its
// database mutex held).
#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <memory>
#include <string>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace rocksdb {
class EventListener;
}  // namespace rocksdb

namespace choreo::storage {

class WriteHealthState {
 public:
  // A write failed. `no_space`: the disk (or a quota) is full. `recoverable` false: RocksDB
  // called the error fatal, so only reopening the database can clear it.
  void Failed(std::string reason, bool no_space, bool recoverable = true);
  // WriteRecovery found the store writable again (its probe write succeeded). Not conditional on
  // the failures counted meanwhile: appends refused by a stopped database count as failures too,
  // and under a steady produce load there always are some.
  void Recovered();

  WriteHealth Snapshot() const;
  bool refusing() const;

  // For the recovery thread: blocks until refusing() (true) or Stop() (false).
  bool WaitUntilRefusing();
  // Waits `timeout`; false if Stop() was called (before or meanwhile).
  bool Pause(absl::Duration timeout);
  // Ends the waits above for good (the store is closing).
  void Stop();

 private:
  mutable Mutex mu_;
  CondVar cv_;
  WriteHealth health_ CHOREO_GUARDED_BY(mu_);
  bool stopping_ CHOREO_GUARDED_BY(mu_) = false;
};

// A RocksDB listener that reports background errors (flush, compaction, WAL writes) to `state`.
std::shared_ptr<rocksdb::EventListener> NewWriteErrorListener(
    std::shared_ptr<WriteHealthState> state);

}  // namespace choreo::storage
