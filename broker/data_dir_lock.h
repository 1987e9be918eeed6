// DataDirLock: an exclusive flock() on <data-dir>/LOCK-choreod, held while a broker uses the data
// directory, so a second choreod on the same directory fails at once with a message naming the
// holder's pid. RocksDB's own LOCK file would also refuse it, but with an I/O error about a file
// lock; taking ours first gives an operator something to act on.
//
// flock() locks belong to the open file description: a second Acquire() in the same process
// conflicts too (so two in-process brokers are refused as well), and the kernel drops the lock
// when the process dies, so a crash never leaves a stale lock behind (the pid in the file is only
// informational).
//
// Threading: not thread-safe; owned by the broker.
#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <string>

namespace choreo::broker {

class DataDirLock {
 public:
  // Creates `data_dir` if needed and locks it. Errors: FailedPrecondition ("data directory X is in
  // use by another choreod (pid N)"), or Internal/PermissionDenied-style errors from the file
  // system as Unavailable with the path and errno text.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);

  // Releases the lock (the file stays; it is harmless and reused).
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace choreo::broker
