// WalSyncFileSystem: a RocksDB file system that lets choreo fsync the WAL itself.
//
// Under --fsync=interval a thread syncs the WAL periodically while group commits keep writing.
// RocksDB's own SyncWAL() cannot do that safely with Debian's RocksDB 7.8: if a write fails (a
// full disk) just before a SyncWAL() reaches the WAL writer, the writer's "previous error" check
// fails an assertion and aborts the broker, so the sync had to exclude group commits, pausing
// every append for the length of an fsync. This wrapper keeps the WAL files RocksDB has open
// and syncs them directly (fdatasync of the file, never through RocksDB's writer), plus the
// directory once a new WAL file was created in it, so that a rotated WAL survives a power cut
// too. Everything else passes through unchanged.
//
// RocksDB does not learn about these syncs: it still syncs closed WAL files before a flush and
// on sync writes, as it would anyway.
#pragma once

#include <absl/status/status.h>
#include <rocksdb/file_system.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace choreo::storage {

class WalSyncFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit WalSyncFileSystem(std::shared_ptr<rocksdb::FileSystem> base);

  static const char* kClassName() { return "ChoreoWalSyncFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override;

  // Syncs the data of every open WAL file, and the directory of each WAL file created since the
  // last call. Thread-safe; runs alongside writes to the same files. Returns the first error.
  absl::Status SyncWals();

  // One open WAL file as the registry sees it; shared with the file so that a sync and the
  // file's Close() never overlap.
  struct Tracked {
    std::mutex mu;
    rocksdb::FSWritableFile* file = nullptr;  // null once closed
    std::string name;
  };

 private:
  class WalFile;
  // Wraps a newly opened WAL file and registers it.
  void Track(const std::string& name, std::unique_ptr<rocksdb::FSWritableFile>& file);
  void Forget(const Tracked* tracked);
  absl::Status SyncDirectory(const std::string& dir);

  std::mutex mu_;
  std::vector<std::shared_ptr<Tracked>> open_;  // guarded by mu_
  std::set<std::string> unsynced_dirs_;         // guarded by mu_
};

}  // namespace choreo::storage
