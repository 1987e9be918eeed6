// StoreDb: the RocksDB instance of one data directory and its column families.
//
//   records    one key per record batch (keys.h, value_format.h)
//   meta       topics, the topic-id counter, per-partition log start offsets, producer ids and
//              epochs (meta_format.h)
//   offsets    committed consumer-group offsets (offsets_format.h)
//   producers  idempotent-producer sequence state (producer_format.h)
//   events     the event index and open sagas (event_index_format.h)
//   scheduled  events to append when due (scheduled_format.h)
//
// RocksDB requires the `default` column family to exist; choreo writes nothing to it.
// Lifecycle: Open() -> use -> Close() (or the destructor). Not thread-safe to Close() while others
// use it; LogStore guarantees that.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <rocksdb/options.h>

#include <memory>
#include <string>
#include <string_view>

#include "choreo/storage/log_store.h"
#include "storage/wal_sync.h"
#include "storage/write_health.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class CompactionFilterFactory;
class DB;
class Status;
}  // namespace rocksdb

namespace choreo::storage {

struct StoreDb {
  // `events_filter` (may be null) is the compaction filter of the `events` column family.
  static absl::StatusOr<std::unique_ptr<StoreDb>> Open(
      const StoreOptions& options,
      std::shared_ptr<rocksdb::CompactionFilterFactory> events_filter = nullptr);

  StoreDb() = default;
  ~StoreDb();
  StoreDb(const StoreDb&) = delete;
  StoreDb& operator=(const StoreDb&) = delete;

  // Releases the column families and closes the database. Idempotent.
  absl::Status Close();

  // OK, or why `what` (a write outside the committer: an offset commit, a producer id, a
  // retention pass, a schema) is refused: while the store refuses writes, these writes must not
  // reach RocksDB either. A synced write meeting the failing disk inside RocksDB is a failed WAL
  // write, which RocksDB 7.8 cannot resume from (write_health.cc): it would turn a full disk that
  // clears by itself into one that needs a restart.
  absl::Status CheckWritable(std::string_view what) const;

  // The file system the database writes through, and the environment made of it; they outlive
  // `db` (declared before it, destroyed after Close()).
  std::shared_ptr<WalSyncFileSystem> wal_files;
  // Whether writes are refused; RocksDB's background errors reach it through a listener.
  std::shared_ptr<WriteHealthState> health;
  std::unique_ptr<rocksdb::Env> env;
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  rocksdb::ColumnFamilyHandle* records = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* offsets = nullptr;
  rocksdb::ColumnFamilyHandle* producers = nullptr;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* scheduled = nullptr;
};

// The options StoreDb::Open uses, exposed so that bench/rocksdb_options can measure variants of
// exactly these (README.md, "RocksDB options", records why each is what it is).
rocksdb::DBOptions DatabaseOptions(const StoreOptions& options);
rocksdb::ColumnFamilyOptions RecordsOptions(const StoreOptions& options,
                                            const std::shared_ptr<rocksdb::Cache>& cache);

// Whether files in `dir` (created if missing) can be opened with O_DIRECT.
bool DirectIoSupported(const std::string& dir);

// Maps a failed RocksDB status to a store error: a full disk is kNoSpace, anything else kIoError.
// `context` says what was being done ("append to 'orders'/3").
absl::Status FromRocksStatus(const rocksdb::Status& status, std::string_view context);

}  // namespace choreo::storage
