#include "tests/storage/power_cut_file_system.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace choreo::storage::testing {
namespace {

namespace fs = std::filesystem;

std::string Normalize(const std::string& path) {
  std::string out = fs::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

std::string ParentOf(const std::string& normalized) {
  return fs::path(normalized).parent_path().string();
}

// The first `limit` bytes of a real file (all of it if shorter).
std::string ReadPrefix(const std::string& path, uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() > limit) data.resize(limit);
  return data;
}

uint64_t RealSize(const std::string& path) {
  std::error_code error;
  const uintmax_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

absl::Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

// A writable file whose appends and syncs update its FileState.
class PowerCutFileSystem::File : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(std::unique_ptr<rocksdb::FSWritableFile> file, std::mutex& mu,
       std::shared_ptr<FileState> state)
      : FSWritableFileOwnerWrapper(std::move(file)), mu_(mu), state_(std::move(state)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    return Written(target()->Append(data, options, debug), data.size());
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    return Written(target()->Append(data, options, info, debug), data.size());
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->PositionedAppend(data, offset, options, debug);
    if (s.ok()) {
      std::lock_guard lock(mu_);
      state_->written = std::max<uint64_t>(state_->written, offset + data.size());
    }
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->PositionedAppend(data, offset, options, info, debug);
    if (s.ok()) {
      std::lock_guard lock(mu_);
      state_->written = std::max<uint64_t>(state_->written, offset + data.size());
    }
    return s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->Truncate(size, options, debug);
    if (s.ok()) {
      std::lock_guard lock(mu_);
      state_->written = size;
      state_->synced = std::min(state_->synced, size);
    }
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    const uint64_t covered = WrittenNow();
    return Synced(target()->Sync(options, debug), covered);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    const uint64_t covered = WrittenNow();
    return Synced(target()->Fsync(options, debug), covered);
  }
  // RangeSync (sync_file_range) starts writeback but promises nothing after a crash; Close()
  // neither: both pass through without making anything durable.

 private:
  uint64_t WrittenNow() {
    std::lock_guard lock(mu_);
    return state_->written;
  }
  rocksdb::IOStatus Written(rocksdb::IOStatus s, size_t bytes) {
    if (s.ok()) {
      std::lock_guard lock(mu_);
      state_->written += bytes;
    }
    return s;
  }
  // Only what was written before the sync began is known to be covered by it.
  rocksdb::IOStatus Synced(rocksdb::IOStatus s, uint64_t covered) {
    if (s.ok()) {
      std::lock_guard lock(mu_);
      state_->synced = std::max(state_->synced, covered);
    }
    return s;
  }

  std::mutex& mu_;
  std::shared_ptr<FileState> state_;
};

// A directory whose successful fsync makes the names created in it before the fsync durable.
class PowerCutFileSystem::Directory : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(std::unique_ptr<rocksdb::FSDirectory> dir, PowerCutFileSystem& fs, std::string name)
      : FSDirectoryWrapper(std::move(dir)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    std::vector<std::shared_ptr<FileState>> pending = fs_.UndurableNames(name_);
    rocksdb::IOStatus s = FSDirectoryWrapper::Fsync(options, debug);
    if (s.ok()) fs_.MakeNamesDurable(pending);
    return s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* debug,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    std::vector<std::shared_ptr<FileState>> pending = fs_.UndurableNames(name_);
    rocksdb::IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(options, debug, dir_options);
    if (s.ok()) fs_.MakeNamesDurable(pending);
    return s;
  }

 private:
  PowerCutFileSystem& fs_;
  const std::string name_;
};

PowerCutFileSystem::PowerCutFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)) {}

std::shared_ptr<PowerCutFileSystem::FileState> PowerCutFileSystem::Track(const std::string& name,
                                                                         uint64_t existing_bytes,
                                                                         bool existed_before) {
  auto state = std::make_shared<FileState>();
  state->written = existing_bytes;
  state->synced = existing_bytes;
  std::lock_guard lock(mu_);
  auto it = files_.find(name);
  // Opening an existing name keeps its directory entry; whether that entry is durable is what
  // the wrapper knew of it (an untracked file was there before: durable).
  if (existed_before) state->name_durable = it == files_.end() || it->second->name_durable;
  files_[name] = state;
  return state;
}

rocksdb::IOStatus PowerCutFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* debug) {
  const std::string path = Normalize(name);
  const bool existed = target()->FileExists(name, options.io_options, debug).ok();
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, debug);
  if (!s.ok()) return s;
  // NewWritableFile truncates.
  *result = std::make_unique<File>(std::move(*result), mu_, Track(path, 0, existed));
  return s;
}

rocksdb::IOStatus PowerCutFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* debug) {
  const std::string path = Normalize(name);
  const bool existed = target()->FileExists(name, options.io_options, debug).ok();
  rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, result, debug);
  if (!s.ok()) return s;
  std::shared_ptr<FileState> state;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) state = it->second;
  }
  // Appending to a file the wrapper already tracks keeps its history; otherwise what is there
  // now is durable.
  if (state == nullptr) state = Track(path, RealSize(path), existed);
  *result = std::make_unique<File>(std::move(*result), mu_, std::move(state));
  return s;
}

rocksdb::IOStatus PowerCutFileSystem::NewDirectory(const std::string& name,
                                                   const rocksdb::IOOptions& options,
                                                   std::unique_ptr<rocksdb::FSDirectory>* result,
                                                   rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = target()->NewDirectory(name, options, result, debug);
  if (s.ok()) *result = std::make_unique<Directory>(std::move(*result), *this, Normalize(name));
  return s;
}

rocksdb::IOStatus PowerCutFileSystem::DeleteFile(const std::string& name,
                                                 const rocksdb::IOOptions& options,
                                                 rocksdb::IODebugContext* debug) {
  std::lock_guard lock(mu_);
  rocksdb::IOStatus s = target()->DeleteFile(name, options, debug);
  if (s.ok()) files_.erase(Normalize(name));
  return s;
}

rocksdb::IOStatus PowerCutFileSystem::RenameFile(const std::string& source,
                                                 const std::string& target_name,
                                                 const rocksdb::IOOptions& options,
                                                 rocksdb::IODebugContext* debug) {
  const std::string from = Normalize(source);
  const std::string to = Normalize(target_name);
  std::lock_guard lock(mu_);
  // What a crash before the next directory fsync would show under the target name.
  std::optional<std::string> replaced;
  if (target()->FileExists(target_name, options, debug).ok()) {
    auto old = files_.find(to);
    if (old == files_.end()) {
      replaced = ReadPrefix(to, UINT64_MAX);
    } else if (old->second->name_durable) {
      replaced = ReadPrefix(to, old->second->synced);
    } else {
      replaced = old->second->replaced;
    }
  }
  rocksdb::IOStatus s = target()->RenameFile(source, target_name, options, debug);
  if (!s.ok()) return s;
  std::shared_ptr<FileState> state;
  if (auto it = files_.find(from); it != files_.end()) {
    state = it->second;
    files_.erase(it);
  } else {
    state = std::make_shared<FileState>();
    state->written = state->synced = RealSize(to);
  }
  state->name_durable = false;
  state->replaced = std::move(replaced);
  files_[to] = std::move(state);
  return s;
}

rocksdb::IOStatus PowerCutFileSystem::Truncate(const std::string& name, size_t size,
                                               const rocksdb::IOOptions& options,
                                               rocksdb::IODebugContext* debug) {
  std::lock_guard lock(mu_);
  rocksdb::IOStatus s = target()->Truncate(name, size, options, debug);
  if (s.ok()) {
    if (auto it = files_.find(Normalize(name)); it != files_.end()) {
      it->second->written = size;
      it->second->synced = std::min<uint64_t>(it->second->synced, size);
    }
  }
  return s;
}

std::vector<std::shared_ptr<PowerCutFileSystem::FileState>> PowerCutFileSystem::UndurableNames(
    const std::string& dir) {
  std::vector<std::shared_ptr<FileState>> pending;
  std::lock_guard lock(mu_);
  for (const auto& [path, state] : files_) {
    if (!state->name_durable && ParentOf(path) == dir) pending.push_back(state);
  }
  return pending;
}

void PowerCutFileSystem::MakeNamesDurable(const std::vector<std::shared_ptr<FileState>>& states) {
  std::lock_guard lock(mu_);
  for (const std::shared_ptr<FileState>& state : states) {
    state->name_durable = true;
    state->replaced.reset();
  }
}

absl::Status PowerCutFileSystem::CutPower(const std::string& source_dir,
                                          const std::string& image_dir) {
  std::error_code error;
  if (!fs::create_directories(image_dir, error) || error) {
    return absl::InternalError(absl::StrCat("cannot create ", image_dir, ": ", error.message()));
  }
  std::lock_guard lock(mu_);
  last_cut_ = {};
  for (const fs::directory_entry& entry : fs::directory_iterator(source_dir, error)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = Normalize(entry.path().string());
    const std::string copy = (fs::path(image_dir) / entry.path().filename()).string();
    auto it = files_.find(path);
    absl::Status written;
    if (it == files_.end()) {
      written = WriteFile(copy, ReadPrefix(path, UINT64_MAX));
    } else if (const FileState& state = *it->second; state.name_durable) {
      written = WriteFile(copy, ReadPrefix(path, state.synced));
      last_cut_.bytes_lost += state.written - state.synced;
    } else if (state.replaced.has_value()) {
      written = WriteFile(copy, *state.replaced);
      last_cut_.bytes_lost += state.written;
    } else {
      ++last_cut_.files_lost;
      last_cut_.bytes_lost += state.written;
    }
    if (!written.ok()) return written;
  }
  if (error)
    return absl::InternalError(absl::StrCat("cannot list ", source_dir, ": ", error.message()));
  return absl::OkStatus();
}

PowerCutFileSystem::CutStats PowerCutFileSystem::last_cut() const {
  std::lock_guard lock(mu_);
  return last_cut_;
}

}  // namespace choreo::storage::testing
