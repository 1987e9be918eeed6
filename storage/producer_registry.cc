#include "storage/producer_registry.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/meta_format.h"
#include "storage/range_iterator.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

absl::Status UnknownProducer(int64_t producer_id) {
  return MakeStoreError(StoreErrorKind::kUnknownProducerId,
                        absl::StrCat("unknown producer id ", producer_id));
}

absl::Status Fenced(int64_t producer_id, int32_t epoch, int32_t current) {
  return MakeStoreError(StoreErrorKind::kProducerFenced,
                        absl::StrCat("producer ", producer_id, " epoch ", epoch,
                                     " is not its current epoch ", current));
}

absl::Status CorruptMeta(const absl::Status& status) {
  return MakeStoreError(StoreErrorKind::kCorruptData, ToStd(status.message()));
}

}  // namespace

absl::Status ProducerRegistry::Load() {
  MutexLock admin(&admin_mu_);
  std::string value;
  rocksdb::Status s =
      db_.db->Get(rocksdb::ReadOptions(), db_.meta, NextProducerIdMetaKey(), &value);
  if (s.ok()) {
    absl::StatusOr<int64_t> next = DecodeNextProducerId(value);
    if (!next.ok()) return CorruptMeta(next.status());
    next_id_ = *next;
  } else if (!s.IsNotFound()) {
    return FromRocksStatus(s, "read producer id counter");
  }

  RangeIterator it(db_, db_.meta, ProducerEpochMetaRangeBegin(), ProducerEpochMetaRangeEnd());
  MutexLock lock(&mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<int64_t> id = ProducerIdFromEpochKey(it->key().ToStringView());
    if (!id.has_value()) continue;
    absl::StatusOr<int32_t> epoch = DecodeProducerEpoch(it->value().ToStringView());
    if (!epoch.ok()) return CorruptMeta(epoch.status());
    epochs_[*id] = *epoch;
    // Defensive: ids are never reused, even if the counter was lost.
    next_id_ = std::max(next_id_, *id + 1);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load producer epochs");
  return absl::OkStatus();
}

absl::StatusOr<ProducerIdentity> ProducerRegistry::Init(int64_t producer_id, int32_t epoch,
                                                        bool bump_epoch) {
  MutexLock admin(&admin_mu_);
  if (producer_id == -1) return Allocate();
  absl::StatusOr<int32_t> current = CurrentEpoch(producer_id);
  if (!current.ok()) return current.status();
  if (epoch != *current) return Fenced(producer_id, epoch, *current);
  if (!bump_epoch) return ProducerIdentity{.producer_id = producer_id, .epoch = epoch};
  if (epoch == std::numeric_limits<int32_t>::max()) {
    return MakeStoreError(StoreErrorKind::kProducerFenced,
                          absl::StrCat("producer ", producer_id,
                                       " has exhausted its epochs; initialize a new producer id"));
  }
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  rocksdb::Status s = db_.db->Put(options, db_.meta, ProducerEpochMetaKey(producer_id),
                                  EncodeProducerEpoch(epoch + 1));
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("bump epoch of producer ", producer_id));
  MutexLock lock(&mu_);
  epochs_[producer_id] = epoch + 1;
  return ProducerIdentity{.producer_id = producer_id, .epoch = epoch + 1};
}

absl::StatusOr<ProducerIdentity> ProducerRegistry::Allocate() {
  if (next_id_ == std::numeric_limits<int64_t>::max()) {
    return MakeStoreError(StoreErrorKind::kIoError, "producer ids are exhausted");
  }
  const int64_t id = next_id_;
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(db_.meta, NextProducerIdMetaKey(), EncodeNextProducerId(id + 1));
  if (s.ok()) s = batch.Put(db_.meta, ProducerEpochMetaKey(id), EncodeProducerEpoch(0));
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  if (s.ok()) s = db_.db->Write(options, &batch);
  if (!s.ok()) return FromRocksStatus(s, "allocate a producer id");
  next_id_ = id + 1;
  MutexLock lock(&mu_);
  epochs_[id] = 0;
  return ProducerIdentity{.producer_id = id, .epoch = 0};
}

absl::StatusOr<int32_t> ProducerRegistry::CurrentEpoch(int64_t producer_id) const {
  MutexLock lock(&mu_);
  auto it = epochs_.find(producer_id);
  if (it == epochs_.end()) return UnknownProducer(producer_id);
  return it->second;
}

absl::Status ProducerRegistry::CheckEpoch(int64_t producer_id, int32_t epoch) const {
  absl::StatusOr<int32_t> current = CurrentEpoch(producer_id);
  if (!current.ok()) return current.status();
  if (epoch != *current) return Fenced(producer_id, epoch, *current);
  return absl::OkStatus();
}

}  // namespace choreo::storage
