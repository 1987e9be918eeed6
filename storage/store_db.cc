#include "storage/store_db.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "choreo/storage/errors.h"
#include "storage/scheduled_format.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

bool Lz4Supported() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
}

rocksdb::BlockBasedTableOptions TableOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Batches are usually KiBs to MiBs, so most blocks hold one value anyway; larger blocks keep
  // the index small for small batches.
  table.block_size = 64 * 1024;
  // No filter_policy: reads are Seek/SeekForPrev scans, and Bloom filters only answer point
  // lookups ("is this exact key present?"). See README.md.
  return table;
}

rocksdb::ColumnFamilyOptions SmallOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 4 * kMiB;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache)));
  return cf;
}

// The (kind, value) prefix of the index's type entries ('t' | length u16 | type): few prefixes (one
// per event type), each filled in time order, so the memtable keeps an insert hint per type and
// skips most of the skiplist search, whose key comparisons over long shared type names were the
// costliest part of an insert. Other entries (saga ids, event ids: one prefix each) stay outside
// the domain: a hint costs ~250 bytes per prefix and memtable.
class TypeEntryPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "choreo.TypeEntryPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PrefixLength(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= 3 && key[0] == 't' && key.size() >= PrefixLength(key);
  }

 private:
  static size_t PrefixLength(const rocksdb::Slice& key) {
    return 3 + ((static_cast<size_t>(static_cast<uint8_t>(key[1])) << 8) |
                static_cast<uint8_t>(key[2]));
  }
};

rocksdb::ColumnFamilyOptions EventsOptions(
    const std::shared_ptr<rocksdb::Cache>& cache,
    std::shared_ptr<rocksdb::CompactionFilterFactory> filter) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table = TableOptions(cache);
  table.block_size = 16 * 1024;  // small entries; point reads (below) read one block
  // Searches by event id and type read each event's fields from its saga entry with a point read
  // (event_index_format.h): a Bloom filter spares those reads the files that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Three or four small entries per enveloped record at random places (UUIDs): larger and more
  // memtables mean fewer flushes, fewer L0 files to compact, and no write stop while one flushes
  // (bench/RESULTS.md, "Event index": with 16 MiB x 2, writes stopped).
  cf.write_buffer_size = 32 * kMiB;
  cf.max_write_buffer_number = 4;
  cf.level_compaction_dynamic_level_bytes = true;
  // Keys and values are mostly random ids, which Snappy barely shrinks while it was a sixth of the
  // broker's CPU under an indexed load (flush and compaction).
  cf.compression = rocksdb::kNoCompression;
  cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<TypeEntryPrefix>();
  cf.compaction_filter_factory = std::move(filter);
  // Entries of trimmed records are dropped only when their file is compacted; rewrite every file
  // at least daily so that space comes back even where nothing else triggers a compaction.
  cf.periodic_compaction_seconds = 24 * 60 * 60;
  return cf;
}

rocksdb::ColumnFamilyOptions ScheduledOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf = SmallOptions(cache);
  // Drops the id entries of events that ended long ago (scheduled_format.h); rewriting every file
  // at least daily makes that happen even where nothing else compacts.
  cf.compaction_filter_factory = NewScheduledTombstoneFilterFactory();
  cf.periodic_compaction_seconds = 24 * 60 * 60;
  return cf;
}

}  // namespace

bool DirectIoSupported(const std::string& dir) {
  // Some filesystems refuse O_DIRECT (tmpfs before Linux 6.6, for one); RocksDB would only find out
  // at the first flush and stop taking writes, so ask the filesystem up front.
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const std::string probe = dir + "/.choreo-direct-io-probe";
  const int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

rocksdb::ColumnFamilyOptions RecordsOptions(const StoreOptions& options,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = options.write_buffer_bytes;
  cf.max_write_buffer_number = 3;  // keep accepting writes while one memtable flushes
  cf.target_file_size_base = 64 * kMiB;
  cf.level_compaction_dynamic_level_bytes = true;
  // One compression for every level, none by default: LZ4 on batches that do not compress (the
  // producer compressed them already, or the values are noise) was the broker's largest CPU cost
  // in profiles, while compressible ones are better compressed by the producer (less network and
  // WAL too). README.md, "RocksDB options and why", has the figures.
  cf.compression = options.lz4_compression ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache)));
  return cf;
}

rocksdb::DBOptions DatabaseOptions(const StoreOptions& options) {
  rocksdb::DBOptions db;
  if (options.env != nullptr) db.env = options.env;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.bytes_per_sync = kMiB;  // smooth background writeback of SST files
  // A WAL file is deleted only when every column family with data in it has flushed. `meta`
  // is written rarely, so without this bound WAL files would pile up behind it.
  db.max_total_wal_size = std::max<uint64_t>(4 * options.write_buffer_bytes, 64 * kMiB);
  db.keep_log_file_num = 5;
  db.max_log_file_size = 16 * kMiB;
  // Off by default: faster producing, slower backlog reads (README.md, "RocksDB options and why").
  db.use_direct_io_for_flush_and_compaction =
      options.direct_io_writes && options.env == nullptr && DirectIoSupported(options.data_dir);
  return db;
}

absl::StatusOr<std::unique_ptr<StoreDb>> StoreDb::Open(
    const StoreOptions& options, std::shared_ptr<rocksdb::CompactionFilterFactory> events_filter) {
  if (options.lz4_compression && !Lz4Supported()) {
    return absl::InvalidArgumentError(
        "LZ4 compression was asked for, but this RocksDB library was built without LZ4");
  }
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, SmallOptions(cache)},
      {"records", RecordsOptions(options, cache)},
      {"meta", SmallOptions(cache)},
      {"offsets", SmallOptions(cache)},
      {"producers", SmallOptions(cache)},
      {"events", EventsOptions(cache, std::move(events_filter))},
      {"scheduled", ScheduledOptions(cache)},
  };
  auto store = std::make_unique<StoreDb>();
  rocksdb::Env* base_env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  store->wal_files = std::make_shared<WalSyncFileSystem>(base_env->GetFileSystem());
  store->env = rocksdb::NewCompositeEnv(store->wal_files);
  rocksdb::DBOptions db_options = DatabaseOptions(options);
  db_options.env = store->env.get();
  store->health = std::make_shared<WriteHealthState>();
  db_options.listeners.push_back(NewWriteErrorListener(store->health));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.data_dir, families, &handles, &raw);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("open data dir ", options.data_dir));
  store->db = raw;
  store->default_cf = handles[0];
  store->records = handles[1];
  store->meta = handles[2];
  store->offsets = handles[3];
  store->producers = handles[4];
  store->events = handles[5];
  store->scheduled = handles[6];
  return store;
}

StoreDb::~StoreDb() {
  Close().IgnoreError();
}

absl::Status StoreDb::CheckWritable(std::string_view what) const {
  if (health == nullptr) return absl::OkStatus();
  const WriteHealth now = health->Snapshot();
  if (!now.refusing) return absl::OkStatus();
  return MakeStoreError(
      now.no_space ? StoreErrorKind::kNoSpace : StoreErrorKind::kIoError,
      absl::StrCat(ToAbsl(what), ": the store refuses writes (", now.reason, ")"));
}

absl::Status StoreDb::Close() {
  if (db == nullptr) return absl::OkStatus();
  rocksdb::Status first;
  for (rocksdb::ColumnFamilyHandle** handle :
       {&default_cf, &records, &meta, &offsets, &producers, &events, &scheduled}) {
    if (*handle == nullptr) continue;
    rocksdb::Status s = db->DestroyColumnFamilyHandle(*handle);
    if (first.ok()) first = s;
    *handle = nullptr;
  }
  rocksdb::Status s = db->Close();
  if (first.ok()) first = s;
  delete db;
  db = nullptr;
  if (!first.ok()) return FromRocksStatus(first, "close database");
  return absl::OkStatus();
}

absl::Status FromRocksStatus(const rocksdb::Status& status, std::string_view context) {
  std::string message = absl::StrCat(ToAbsl(context), ": ", status.ToString());
  if (status.IsNoSpace()) return MakeStoreError(StoreErrorKind::kNoSpace, message);
  return MakeStoreError(StoreErrorKind::kIoError, message);
}

}  // namespace choreo::storage
