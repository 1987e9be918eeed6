// choreo-rocksdb-options: measures variants of the `records` column family's RocksDB options on
// choreo's own workload (17-byte sorted batch keys, ~50 KiB batch values, 8 partitions, appends in
// groups, then a backlog scan and a retention trim), so that the choice in storage/store_db.cc
// rests on figures from this machine. The results and the reasoning are in storage/README.md
// ("RocksDB options").
//
// Each variant starts from exactly the broker's options (storage::RecordsOptions and
// storage::DatabaseOptions) and changes one thing.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_split.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/keys.h"
#include "storage/store_db.h"

ABSL_FLAG(std::string, dir, "", "Scratch directory (default: a new one under /tmp, removed after)");
ABSL_FLAG(double, gib, 1.0, "GiB of batch data written per variant");
ABSL_FLAG(int, batch_records, 500, "Records per batch (100-byte values)");
ABSL_FLAG(bool, sync, false, "Sync every write (fsync=always); else unsynced (fsync=interval)");
ABSL_FLAG(std::string, variants,
          "baseline,lz4_all_levels,uncompressed_l0_l1,universal,blob,write_buffer_256m",
          "Comma-separated variants to run");

namespace choreo {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kPartitions = 8;
constexpr storage::TopicId kTopic{1};
constexpr uint64_t kMiB = 1ull << 20;

struct Variant {
  std::string name;
  std::function<void(rocksdb::ColumnFamilyOptions&)> change;
};

std::vector<Variant> AllVariants() {
  return {
      {"baseline", [](rocksdb::ColumnFamilyOptions&) {}},
      {"universal",
       [](rocksdb::ColumnFamilyOptions& cf) {
         cf.compaction_style = rocksdb::kCompactionStyleUniversal;
       }},
      {"blob",
       [](rocksdb::ColumnFamilyOptions& cf) {
         cf.enable_blob_files = true;
         cf.min_blob_size = 4096;
         cf.blob_file_size = 256 * kMiB;
         cf.enable_blob_garbage_collection = true;
       }},
      {"write_buffer_256m",
       [](rocksdb::ColumnFamilyOptions& cf) { cf.write_buffer_size = 256 * kMiB; }},
      {"lz4_all_levels",  // --storage-compression=lz4
       [](rocksdb::ColumnFamilyOptions& cf) { cf.compression = rocksdb::kLZ4Compression; }},
      {"uncompressed_l0_l1",  // the first choice: none on L0/L1, LZ4 below
       [](rocksdb::ColumnFamilyOptions& cf) {
         cf.compression_per_level = {rocksdb::kNoCompression,  rocksdb::kNoCompression,
                                     rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                                     rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                                     rocksdb::kLZ4Compression};
       }},
  };
}

// A batch payload shaped like a real one: records of a JSON-ish 100-byte event with random ids,
// so compression has about as much to work with as with real events (not zeros, not noise).
std::string MakeBatchValue(int records, std::mt19937_64& rng) {
  std::string value;
  value.reserve(static_cast<size_t>(records) * 120);
  char event[128];
  for (int i = 0; i < records; ++i) {
    const int n = std::snprintf(
        event, sizeof(event),
        "{\"order\":\"%016llx\",\"customer\":%llu,\"amount\":%llu,\"s\":\"OK\"}",
        static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng() % 100000),
        static_cast<unsigned long long>(rng() % 100000));
    value.push_back(0x0A);
    value.push_back(static_cast<char>(n + 2));
    value.push_back(0x12);
    value.push_back(static_cast<char>(n));
    value.append(event, static_cast<size_t>(n));
  }
  return value;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

struct Result {
  double write_mb_s = 0, write_amp = 0, stall_s = 0, scan_mb_s = 0;
  double disk_before_mib = 0, disk_after_mib = 0, trim_s = 0;
};

struct Db {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~Db() {
    for (auto* h : handles)
      db->DestroyColumnFamilyHandle(h);
    delete db;
  }
};

std::unique_ptr<Db> Open(const std::string& path, const Variant& variant,
                         const std::shared_ptr<rocksdb::Statistics>& stats) {
  storage::StoreOptions options;
  options.data_dir = path;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_options = storage::DatabaseOptions(options);
  db_options.statistics = stats;
  rocksdb::ColumnFamilyOptions records = storage::RecordsOptions(options, cache);
  variant.change(records);
  auto db = std::make_unique<Db>();
  rocksdb::Status s = rocksdb::DB::Open(
      db_options, path, {{rocksdb::kDefaultColumnFamilyName, {}}, {"records", records}},
      &db->handles, &db->db);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.ToString().c_str());
    std::exit(1);
  }
  return db;
}

void Check(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// RocksDB 7.8 has no DB::WaitForCompact. "compaction-pending" can stay set under universal
// compaction with nothing scheduled, so wait for background work to be idle for a second.
void WaitForCompactions(Db& db) {
  int idle_polls = 0;
  for (int i = 0; i < 1200 && idle_polls < 20; ++i) {  // at most a minute
    uint64_t compactions = 0, flushes = 0;
    db.db->GetIntProperty(db.handles[1], "rocksdb.num-running-compactions", &compactions);
    db.db->GetIntProperty(db.handles[1], "rocksdb.num-running-flushes", &flushes);
    idle_polls = compactions == 0 && flushes == 0 ? idle_polls + 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, not synchronizing
  }
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

Result Run(const Variant& variant, const std::string& path) {
  Result result;
  auto stats = rocksdb::CreateDBStatistics();
  std::mt19937_64 rng(42);
  std::vector<std::string> values;
  for (int i = 0; i < 16; ++i)
    values.push_back(MakeBatchValue(absl::GetFlag(FLAGS_batch_records), rng));
  const uint64_t target = static_cast<uint64_t>(absl::GetFlag(FLAGS_gib) * 1024 * kMiB);
  const auto records_per_batch = static_cast<storage::Offset>(absl::GetFlag(FLAGS_batch_records));

  std::unique_ptr<Db> db = Open(path, variant, stats);
  rocksdb::WriteOptions write_options;
  write_options.sync = absl::GetFlag(FLAGS_sync);
  uint64_t written = 0;
  storage::Offset next = 0;
  size_t v = 0;
  const auto write_start = Clock::now();
  while (written < target) {  // one group commit: a batch for each partition
    rocksdb::WriteBatch group;
    for (uint32_t p = 0; p < kPartitions; ++p) {
      const storage::RecordKey key = storage::EncodeRecordKey(kTopic, p, next);
      const std::string& value = values[v++ % values.size()];
      Check(group.Put(db->handles[1], rocksdb::Slice(key.data(), key.size()), value), "put");
      written += value.size();
    }
    next += records_per_batch;
    Check(db->db->Write(write_options, &group), "write");
  }
  result.write_mb_s = static_cast<double>(written) / kMiB / Seconds(Clock::now() - write_start);
  Check(db->db->Flush({}, db->handles[1]), "flush");
  WaitForCompactions(*db);
  const uint64_t rewritten = stats->getTickerCount(rocksdb::FLUSH_WRITE_BYTES) +
                             stats->getTickerCount(rocksdb::COMPACT_WRITE_BYTES) +
                             stats->getTickerCount(rocksdb::BLOB_DB_BLOB_FILE_BYTES_WRITTEN);
  result.write_amp = static_cast<double>(rewritten) / static_cast<double>(written);
  result.stall_s = static_cast<double>(stats->getTickerCount(rocksdb::STALL_MICROS)) / 1e6;
  db.reset();

  // Backlog scan of one partition from its start, on a fresh block cache.
  db = Open(path, variant, stats);
  const storage::KeyRange range = storage::PartitionKeyRange(kTopic, 3);
  rocksdb::ReadOptions read_options;
  rocksdb::Slice upper(range.end);
  read_options.iterate_upper_bound = &upper;
  uint64_t scanned = 0;
  const auto scan_start = Clock::now();
  std::unique_ptr<rocksdb::Iterator> it(db->db->NewIterator(read_options, db->handles[1]));
  for (it->Seek(range.begin); it->Valid(); it->Next())
    scanned += it->value().size();
  Check(it->status(), "scan");
  it.reset();
  result.scan_mb_s = static_cast<double>(scanned) / kMiB / Seconds(Clock::now() - scan_start);

  // Retention as the broker does it: DeleteRange the oldest half of every partition, then
  // CompactRange over it; the disk must come back.
  result.disk_before_mib = static_cast<double>(DirBytes(path)) / kMiB;
  const auto trim_start = Clock::now();
  for (uint32_t p = 0; p < kPartitions; ++p) {
    const storage::RecordKey begin = storage::EncodeRecordKey(kTopic, p, 0);
    const storage::RecordKey end = storage::EncodeRecordKey(kTopic, p, next / 2);
    Check(db->db->DeleteRange({}, db->handles[1], rocksdb::Slice(begin.data(), begin.size()),
                              rocksdb::Slice(end.data(), end.size())),
          "delete range");
  }
  for (uint32_t p = 0; p < kPartitions; ++p) {
    const storage::RecordKey begin = storage::EncodeRecordKey(kTopic, p, 0);
    const storage::RecordKey end = storage::EncodeRecordKey(kTopic, p, next / 2);
    rocksdb::Slice b(begin.data(), begin.size()), e(end.data(), end.size());
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    Check(db->db->CompactRange(compact, db->handles[1], &b, &e), "compact range");
  }
  result.trim_s = Seconds(Clock::now() - trim_start);
  db.reset();
  result.disk_after_mib = static_cast<double>(DirBytes(path)) / kMiB;
  return result;
}

}  // namespace
}  // namespace choreo

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures variants of choreo's RocksDB options on a choreo-shaped workload.");
  absl::ParseCommandLine(argc, argv);
  std::string root = absl::GetFlag(FLAGS_dir);
  const bool own_root = root.empty();
  if (own_root) {
    root = (std::filesystem::temp_directory_path() / "choreo-rocksdb-options-XXXXXX").string();
    if (mkdtemp(root.data()) == nullptr) return 1;
  }
  const std::vector<std::string> wanted = absl::StrSplit(absl::GetFlag(FLAGS_variants), ',');
  std::printf("%.2f GiB per variant, %d records per batch, sync=%s\n\n", absl::GetFlag(FLAGS_gib),
              absl::GetFlag(FLAGS_batch_records), absl::GetFlag(FLAGS_sync) ? "true" : "false");
  std::printf(
      "| variant | write MB/s | write amp | stalls s | cold scan MB/s | disk MiB before "
      "trim | after trim of half | trim s |\n|---|---|---|---|---|---|---|---|\n");
  for (const choreo::Variant& variant : choreo::AllVariants()) {
    if (std::find(wanted.begin(), wanted.end(), variant.name) == wanted.end()) continue;
    const std::string path = root + "/" + variant.name;
    std::filesystem::remove_all(path);
    const choreo::Result r = choreo::Run(variant, path);
    std::printf("| %s | %.0f | %.2f | %.1f | %.0f | %.0f | %.0f | %.2f |\n", variant.name.c_str(),
                r.write_mb_s, r.write_amp, r.stall_s, r.scan_mb_s, r.disk_before_mib,
                r.disk_after_mib, r.trim_s);
    std::fflush(stdout);
    std::filesystem::remove_all(path);
  }
  if (own_root) std::filesystem::remove_all(root);
  return 0;
}
