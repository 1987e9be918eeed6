// PowerCutFileSystem: a RocksDB file system for tests that knows what a power cut would keep.
//
// A SIGKILL keeps the page cache, so it proves nothing about fsync. This wrapper passes every
// operation through to the real file system and records, per file, how many bytes were written
// and how many were made durable, and per directory entry whether it was made durable:
//
//   - a writable file's bytes are durable up to its length when a Sync() or Fsync() of it began
//     and then succeeded; RangeSync() (sync_file_range) and Close() make nothing durable;
//   - a file created (or renamed into place) has a durable name only once its directory was
//     fsynced (FSDirectory::Fsync/FsyncWithDirOptions) after that; until then a crash may lose it
//     whole, however much of its data was synced (ext4 and XFS do lose such files);
//   - a rename over an existing file keeps, until the directory is fsynced, the old file's
//     durable bytes (so a crash right after CURRENT was replaced shows the old CURRENT);
//   - files that were there before the wrapper saw them, or that it does not track (random-RW
//     files, links, the LOCK file), count as durable as they are.
//
// CutPower() writes the crash image to another directory: each file under the source directory
// as the rules above leave it. The running store is not disturbed (its later writes land in the
// original directory, as if on a machine that is already dead); open the image to see what the
// machine would find after rebooting.
//
// Deliberate simplifications: a deletion or the old name of a rename is treated as durable at
// once (a crash could bring the file back; RocksDB ignores and deletes such leftovers), and bytes
// that were written but not synced are dropped from the end only (a real disk may persist some
// of them, in any order; RocksDB's WAL checksums then cut the log at the first damaged record,
// which a prefix models).
//
// Thread-safe. The bookkeeping takes one mutex around short critical sections; the target's
// I/O runs outside it except for deletions and renames, which must not race with CutPower().
#pragma once

#include <absl/status/status.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace choreo::storage::testing {

class PowerCutFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerCutFileSystem(std::shared_ptr<rocksdb::FileSystem> base);

  const char* Name() const override { return "PowerCutFileSystem"; }

  // Writes into `image_dir` (created; must not exist yet) what a power cut now would leave of
  // every file under `source_dir` (not recursive: RocksDB keeps its files in one directory).
  absl::Status CutPower(const std::string& source_dir, const std::string& image_dir);

  // How many files and bytes the last CutPower() dropped (for tests that want to see that the
  // cut really lost something).
  struct CutStats {
    int files_lost = 0;
    uint64_t bytes_lost = 0;
  };
  CutStats last_cut() const;

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus RenameFile(const std::string& source, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus Truncate(const std::string& name, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override;

  // What the wrapper knows of one file. Shared with its open handle.
  struct FileState {
    uint64_t written = 0;
    uint64_t synced = 0;
    bool name_durable = false;
    // The durable bytes of the file this one replaced by a rename, while the rename is not durable.
    std::optional<std::string> replaced;
  };

 private:
  class File;
  class Directory;

  // Tracks a file just opened for writing under `name` (with `existing_bytes` already in it).
  std::shared_ptr<FileState> Track(const std::string& name, uint64_t existing_bytes,
                                   bool existed_before);
  // The files in `dir` whose names are not durable yet; then, once the directory's fsync
  // succeeded, makes those durable (names created during the fsync are not covered by it).
  std::vector<std::shared_ptr<FileState>> UndurableNames(const std::string& dir);
  void MakeNamesDurable(const std::vector<std::shared_ptr<FileState>>& states);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by normalized path; guarded by mu_
  CutStats last_cut_;                                        // guarded by mu_
};

}  // namespace choreo::storage::testing
