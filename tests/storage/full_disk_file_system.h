// A RocksDB file system for fault tests: its WAL files report "no space" while `fail` is set
// (fault_test.cc, step_fault_test.cc).
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

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
      *result = std::make_unique<WalFile>(std::move(*result), fail);
    }
    return s;
  }

  std::atomic<bool> fail{false};

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::atomic<bool>& fail)
        : FSWritableFileOwnerWrapper(std::move(file)), fail_(fail) {}

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

   private:
    std::atomic<bool>& fail_;
  };
};

}  // namespace choreo::storage::testing
