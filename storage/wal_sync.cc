#include "storage/wal_sync.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <utility>

#include "choreo/storage/errors.h"

namespace choreo::storage {
namespace {

bool IsWalFile(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

// Registers itself while open; Close() and the destructor take it out of the registry under the
// file's own lock, so they wait for a sync of this file in progress, and no later sync touches
// it.
class WalSyncFileSystem::WalFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, WalSyncFileSystem& fs,
          std::shared_ptr<Tracked> tracked)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), tracked_(std::move(tracked)) {}
  ~WalFile() override { Untrack(); }

  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    Untrack();
    return target()->Close(options, debug);
  }

 private:
  void Untrack() {
    if (tracked_ == nullptr) return;
    {
      std::lock_guard lock(tracked_->mu);
      tracked_->file = nullptr;
    }
    fs_.Forget(tracked_.get());
    tracked_.reset();
  }

  WalSyncFileSystem& fs_;
  std::shared_ptr<Tracked> tracked_;
};

WalSyncFileSystem::WalSyncFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)) {}

rocksdb::IOStatus WalSyncFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, debug);
  if (s.ok() && IsWalFile(name)) Track(name, *result);
  return s;
}

rocksdb::IOStatus WalSyncFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = target()->ReuseWritableFile(name, old_name, options, result, debug);
  if (s.ok() && IsWalFile(name)) Track(name, *result);
  return s;
}

void WalSyncFileSystem::Track(const std::string& name,
                              std::unique_ptr<rocksdb::FSWritableFile>& file) {
  auto tracked = std::make_shared<Tracked>();
  tracked->file = file.get();
  tracked->name = name;
  {
    std::lock_guard lock(mu_);
    open_.push_back(tracked);
    unsynced_dirs_.insert(DirectoryOf(name));
  }
  file = std::make_unique<WalFile>(std::move(file), *this, std::move(tracked));
}

void WalSyncFileSystem::Forget(const Tracked* tracked) {
  std::lock_guard lock(mu_);
  open_.erase(std::remove_if(open_.begin(), open_.end(),
                             [tracked](const auto& t) { return t.get() == tracked; }),
              open_.end());
}

// Through the wrapped file system (PosixDirectory: open + fsync, as a direct call would be), so
// that a test's file system sees the directory sync too.
absl::Status WalSyncFileSystem::SyncDirectory(const std::string& dir) {
  std::unique_ptr<rocksdb::FSDirectory> handle;
  rocksdb::IOStatus s = target()->NewDirectory(dir, rocksdb::IOOptions(), &handle, nullptr);
  if (s.ok()) s = handle->Fsync(rocksdb::IOOptions(), nullptr);
  if (handle != nullptr) handle->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  if (s.ok()) return absl::OkStatus();
  return MakeStoreError(s.IsNoSpace() ? StoreErrorKind::kNoSpace : StoreErrorKind::kIoError,
                        absl::StrCat("fsync WAL directory ", dir, ": ", s.ToString()));
}

absl::Status WalSyncFileSystem::SyncWals() {
  std::vector<std::shared_ptr<Tracked>> files;
  std::set<std::string> dirs;
  {
    std::lock_guard lock(mu_);
    files = open_;
    dirs.swap(unsynced_dirs_);
  }
  absl::Status first;
  for (const std::shared_ptr<Tracked>& tracked : files) {
    std::lock_guard lock(tracked->mu);
    if (tracked->file == nullptr) continue;  // closed meanwhile: RocksDB is done with it
    rocksdb::IOStatus s = tracked->file->Sync(rocksdb::IOOptions(), nullptr);
    if (!s.ok() && first.ok()) {
      first = MakeStoreError(s.IsNoSpace() ? StoreErrorKind::kNoSpace : StoreErrorKind::kIoError,
                             absl::StrCat("sync WAL file ", tracked->name, ": ", s.ToString()));
    }
  }
  for (const std::string& dir : dirs) {
    absl::Status s = SyncDirectory(dir);
    if (!s.ok()) {
      // Not synced: try again next time.
      std::lock_guard lock(mu_);
      unsynced_dirs_.insert(dir);
      if (first.ok()) first = s;
    }
  }
  return first;
}

}  // namespace choreo::storage
