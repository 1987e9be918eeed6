// A RocksDB file system for fault tests: its WAL files report "no space" (or, with `error`
// kIoError, EIO) while `fail` is set, its table files (flushes, compactions) while `fail_tables`
// is, WAL syncs fail while `fail_syncs` is, and WAL syncs can be slowed down or held
// (fault_test.cc, step_fault_test.cc, wal_sync_test.cc, write_recovery_test.cc, and the broker's
// storage_fault_test.cc).
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace choreo::storage::testing {

// A file system whose WAL files report "no space" while `fail` is set.
class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)) {}

  const char* Name() const override { return "FullDiskFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, debug);
    if (!s.ok()) return s;
    if (EndsWith(name, ".log")) {
      *result = std::make_unique<WalFile>(std::move(*result), *this);
    } else if (EndsWith(name, ".sst")) {
      *result = std::make_unique<TableFile>(std::move(*result), *this);
    }
    return s;
  }

  enum class Error { kNoSpace, kIoError };

  // What WAL syncs (Sync and Fsync of a WAL file) do before syncing.
  class SyncControl {
   public:
    // Each sync first sleeps this long (widens the window in which it overlaps other writes).
    void SetDelay(std::chrono::microseconds delay) { delay_ = delay; }
    // While held, syncs wait (after counting themselves as started) until Release().
    void Hold() {
      std::lock_guard lock(mu_);
      held_ = true;
    }
    void Release() {
      std::lock_guard lock(mu_);
      held_ = false;
      cv_.notify_all();
    }
    int started() const { return started_.load(); }

    void BeforeSync() {
      started_.fetch_add(1);
      std::this_thread::sleep_for(delay_.load());
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !held_; });
    }

   private:
    std::atomic<std::chrono::microseconds> delay_{std::chrono::microseconds(0)};
    std::atomic<int> started_{0};
    std::mutex mu_;
    std::condition_variable cv_;
    bool held_ = false;
  };

  std::atomic<bool> fail{false};         // WAL appends fail
  std::atomic<bool> fail_tables{false};  // table file appends fail (flush, compaction)
  std::atomic<bool> fail_syncs{false};   // WAL syncs fail
  std::atomic<Error> error{Error::kNoSpace};
  SyncControl syncs;
  // Failures injected so far (a test can wait until the store met one).
  std::atomic<int> injected{0};

 private:
  static bool EndsWith(const std::string& name, const char* suffix) {
    const std::string tail(suffix);
    return name.size() > tail.size() &&
           name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  }

  rocksdb::IOStatus Injected(const char* what) {
    injected.fetch_add(1);
    if (error.load() == Error::kNoSpace) {
      return rocksdb::IOStatus::NoSpace(std::string("injected: disk full, ") + what);
    }
    return rocksdb::IOStatus::IOError(std::string("injected: EIO, ") + what);
  }

  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, FullDiskFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (fs_.fail.load()) return fs_.Injected("WAL append");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (fs_.fail.load()) return fs_.Injected("WAL append");
      return target()->Append(data, options, info, debug);
    }

    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      fs_.syncs.BeforeSync();
      if (fs_.fail_syncs.load()) return fs_.Injected("WAL sync");
      return target()->Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      fs_.syncs.BeforeSync();
      if (fs_.fail_syncs.load()) return fs_.Injected("WAL sync");
      return target()->Fsync(options, debug);
    }

   private:
    FullDiskFileSystem& fs_;
  };

  class TableFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    TableFile(std::unique_ptr<rocksdb::FSWritableFile> file, FullDiskFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (fs_.fail_tables.load()) return fs_.Injected("table file append");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (fs_.fail_tables.load()) return fs_.Injected("table file append");
      return target()->Append(data, options, info, debug);
    }

   private:
    FullDiskFileSystem& fs_;
  };
};

}  // namespace choreo::storage::testing
