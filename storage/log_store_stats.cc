// LogStore::Impl, RocksDB's statistics for the broker's metrics. See log_store_impl.h for the
// locking rules.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include <string>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"

namespace choreo::storage {
namespace {

// Properties RocksDB keeps per column family: summed over all of them.
absl::Status SumOverFamilies(rocksdb::DB& db, const std::string& property, uint64_t* out) {
  if (!db.GetAggregatedIntProperty(property, out)) {
    return MakeStoreError(StoreErrorKind::kIoError,
                          absl::StrCat("RocksDB has no property ", property));
  }
  return absl::OkStatus();
}

// Properties of the whole database or of the block cache all families share: asking every column
// family and summing would count them once per family, so ask `records`.
absl::Status DbWide(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* records,
                    const std::string& property, uint64_t* out) {
  if (!db.GetIntProperty(records, property, out)) {
    return MakeStoreError(StoreErrorKind::kIoError,
                          absl::StrCat("RocksDB has no property ", property));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DbStats> LogStore::Impl::GetDbStats() const {
  using Properties = rocksdb::DB::Properties;
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  rocksdb::DB& db = *db_->db;
  DbStats stats;
  for (absl::Status s : {
           SumOverFamilies(db, Properties::kTotalSstFilesSize, &stats.total_sst_bytes),
           SumOverFamilies(db, Properties::kLiveSstFilesSize, &stats.live_sst_bytes),
           SumOverFamilies(db, Properties::kEstimatePendingCompactionBytes,
                           &stats.pending_compaction_bytes),
           SumOverFamilies(db, Properties::kCurSizeAllMemTables, &stats.memtable_bytes),
           DbWide(db, db_->records, Properties::kNumRunningCompactions, &stats.running_compactions),
           DbWide(db, db_->records, Properties::kNumRunningFlushes, &stats.running_flushes),
           DbWide(db, db_->records, Properties::kBlockCacheUsage, &stats.block_cache_bytes),
       }) {
    if (!s.ok()) return s;
  }
  stats.producer_ids = producers_->Count();
  return stats;
}

WriteHealth LogStore::Impl::GetWriteHealth() const {
  return db_->health->Snapshot();
}

}  // namespace choreo::storage
