// A RocksDB file system for fault tests: its WAL files report "no space" while `fail` is set, and
// their syncs can be slowed down or held (fault_test.cc, step_fault_test.cc, wal_sync_test.cc).
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
    if (s.ok() && name.size() > 4 && name.substr(name.size() - 4) == ".log") {
      *result = std::make_unique<WalFile>(std::move(*result), fail, syncs);
    }
    return s;
  }

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

  std::atomic<bool> fail{false};
  SyncControl syncs;

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::atomic<bool>& fail,
            SyncControl& syncs)
        : FSWritableFileOwnerWrapper(std::move(file)), fail_(fail), syncs_(syncs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (fail_.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (fail_.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return target()->Append(data, options, info, debug);
    }

    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      syncs_.BeforeSync();
      return target()->Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      syncs_.BeforeSync();
      return target()->Fsync(options, debug);
    }

   private:
    std::atomic<bool>& fail_;
    SyncControl& syncs_;
  };
};

}  // namespace choreo::storage::testing
