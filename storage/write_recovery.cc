#include "storage/write_recovery.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <vector>

#include "storage/write_health.h"

namespace choreo::storage {

WriteRecovery::WriteRecovery(StoreDb& db, Committer& committer, absl::Duration interval)
    : db_(db), committer_(committer), interval_(interval) {}

WriteRecovery::~WriteRecovery() {
  Stop();
}

void WriteRecovery::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void WriteRecovery::Stop() {
  db_.health->Stop();
  if (thread_.joinable()) thread_.join();
}

void WriteRecovery::Loop() {
  while (db_.health->WaitUntilRefusing()) {
    // Wait first: the failure that woke us may still be in progress (a full disk does not free
    // itself in microseconds), and a retry at once would only fail again.
    if (!db_.health->Pause(interval_)) return;
    // Not after a WAL write error or a fatal one: resuming could abort the process
    // (write_health.cc); only reopening the store clears those.
    if (!db_.health->Snapshot().recoverable) continue;
    if (Attempt().ok()) db_.health->Recovered();
  }
}

absl::Status WriteRecovery::Attempt() {
  rocksdb::Status s = db_.db->Resume();
  if (!s.ok()) return FromRocksStatus(s, "resume writes");
  if (committer_.WalSyncFailed()) {
    // Probe with a WAL sync before flushing. While the disk still fails, a flush would meet the
    // failure in RocksDB's own sync of the closed WAL files (it syncs them before a flush when
    // there are several column families) and RocksDB would mark that error fatal: then only
    // reopening the store clears it, and a disk that frees up later is never written again.
    if (absl::Status probe = db_.wal_files->SyncWals(); !probe.ok()) return probe;
    // The sync passing is not enough: after a failed fsync the kernel may have dropped the dirty
    // pages of the writes it covered, so they are written again from the memtables.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    flush.allow_write_stall = true;
    std::vector<rocksdb::ColumnFamilyHandle*> families = {db_.default_cf, db_.records,   db_.meta,
                                                          db_.offsets,    db_.producers, db_.events,
                                                          db_.scheduled};
    s = db_.db->Flush(flush, families);
    if (!s.ok()) return FromRocksStatus(s, "flush after a failed WAL sync");
    if (absl::Status synced = db_.wal_files->SyncWals(); !synced.ok()) return synced;
  }
  committer_.ClearWalSyncError();
  return absl::OkStatus();
}

}  // namespace choreo::storage
