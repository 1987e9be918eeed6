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

absl::Status Fenced(int64_t producer_id, int32_t epoch, int32_t current) {
  return MakeStoreError(StoreErrorKind::kProducerFenced,
                        absl::StrCat("producer ", producer_id, " epoch ", epoch,
                                     " is not its current epoch ", current));
}

absl::Status CorruptMeta(const absl::Status& status) {
  return MakeStoreError(StoreErrorKind::kCorruptData, ToStd(status.message()));
}

}  // namespace

absl::Status ProducerRegistry::Unknown(int64_t producer_id) const {
  if (producer_id >= 0 && producer_id < next_id_.load(std::memory_order_relaxed)) {
    return MakeStoreError(
        StoreErrorKind::kUnknownProducerId,
        absl::StrCat("unknown producer id ", producer_id,
                     ": it expired (no append for longer than the producer id expiration time); "
                     "initialize a new producer id"));
  }
  return MakeStoreError(StoreErrorKind::kUnknownProducerId,
                        absl::StrCat("unknown producer id ", producer_id, ": never allocated"));
}

absl::Status ProducerRegistry::Load(int64_t now_ms) {
  MutexLock admin(&admin_mu_);
  int64_t next_id = 0;
  std::string value;
  rocksdb::Status s =
      db_.db->Get(rocksdb::ReadOptions(), db_.meta, NextProducerIdMetaKey(), &value);
  if (s.ok()) {
    absl::StatusOr<int64_t> next = DecodeNextProducerId(value);
    if (!next.ok()) return CorruptMeta(next.status());
    next_id = *next;
  } else if (!s.IsNotFound()) {
    return FromRocksStatus(s, "read producer id counter");
  }

  RangeIterator it(db_, db_.meta, ProducerEpochMetaRangeBegin(), ProducerEpochMetaRangeEnd());
  MutexLock lock(&mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<int64_t> id = ProducerIdFromEpochKey(it->key().ToStringView());
    if (!id.has_value()) continue;
    absl::StatusOr<ProducerEpochValue> epoch = DecodeProducerEpoch(it->value().ToStringView());
    if (!epoch.ok()) return CorruptMeta(epoch.status());
    entries_[*id] = Entry{.epoch = epoch->epoch,
                          .active_ms = epoch->active_ms >= 0 ? epoch->active_ms : now_ms};
    // Defensive: ids are never reused, even if the counter was lost.
    next_id = std::max(next_id, *id + 1);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load producer epochs");
  next_id_.store(next_id);
  return absl::OkStatus();
}

absl::StatusOr<ProducerIdentity> ProducerRegistry::Init(int64_t producer_id, int32_t epoch,
                                                        bool bump_epoch, int64_t now_ms) {
  MutexLock admin(&admin_mu_);
  if (producer_id == -1) return Allocate(now_ms);
  absl::StatusOr<int32_t> current = CurrentEpoch(producer_id, now_ms);
  if (!current.ok()) return current.status();
  if (epoch != *current) return Fenced(producer_id, epoch, *current);
  if (!bump_epoch) return ProducerIdentity{.producer_id = producer_id, .epoch = epoch};
  if (epoch == std::numeric_limits<int32_t>::max()) {
    return MakeStoreError(StoreErrorKind::kProducerFenced,
                          absl::StrCat("producer ", producer_id,
                                       " has exhausted its epochs; initialize a new producer id"));
  }
  if (absl::Status refused =
          db_.CheckWritable(absl::StrCat("bump epoch of producer ", producer_id));
      !refused.ok()) {
    return refused;
  }
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  rocksdb::Status s = db_.db->Put(options, db_.meta, ProducerEpochMetaKey(producer_id),
                                  EncodeProducerEpoch({.epoch = epoch + 1, .active_ms = now_ms}));
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("bump epoch of producer ", producer_id));
  MutexLock lock(&mu_);
  entries_[producer_id] = Entry{.epoch = epoch + 1, .active_ms = now_ms};
  return ProducerIdentity{.producer_id = producer_id, .epoch = epoch + 1};
}

absl::StatusOr<ProducerIdentity> ProducerRegistry::Allocate(int64_t now_ms) {
  const int64_t id = next_id_.load();
  if (id == std::numeric_limits<int64_t>::max()) {
    return MakeStoreError(StoreErrorKind::kIoError, "producer ids are exhausted");
  }
  if (absl::Status refused = db_.CheckWritable("allocate a producer id"); !refused.ok()) {
    return refused;
  }
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(db_.meta, NextProducerIdMetaKey(), EncodeNextProducerId(id + 1));
  if (s.ok()) {
    s = batch.Put(db_.meta, ProducerEpochMetaKey(id),
                  EncodeProducerEpoch({.epoch = 0, .active_ms = now_ms}));
  }
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  if (s.ok()) s = db_.db->Write(options, &batch);
  if (!s.ok()) return FromRocksStatus(s, "allocate a producer id");
  next_id_.store(id + 1);
  MutexLock lock(&mu_);
  entries_[id] = Entry{.epoch = 0, .active_ms = now_ms};
  return ProducerIdentity{.producer_id = id, .epoch = 0};
}

absl::StatusOr<int32_t> ProducerRegistry::CurrentEpoch(int64_t producer_id, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto it = entries_.find(producer_id);
  if (it == entries_.end()) return Unknown(producer_id);
  it->second.active_ms = std::max(it->second.active_ms, now_ms);
  return it->second.epoch;
}

absl::Status ProducerRegistry::CheckEpoch(int64_t producer_id, int32_t epoch, int64_t now_ms) {
  MutexLock lock(&mu_);
  auto it = entries_.find(producer_id);
  if (it == entries_.end()) return Unknown(producer_id);
  if (epoch != it->second.epoch) return Fenced(producer_id, epoch, it->second.epoch);
  it->second.active_ms = std::max(it->second.active_ms, now_ms);
  return absl::OkStatus();
}

bool ProducerRegistry::NoteActivity(int64_t producer_id, int64_t ms) {
  MutexLock lock(&mu_);
  auto it = entries_.find(producer_id);
  if (it == entries_.end()) return false;
  it->second.active_ms = std::max(it->second.active_ms, ms);
  return true;
}

ExpiredProducers ProducerRegistry::Expire(int64_t cutoff_ms) {
  MutexLock admin(&admin_mu_);
  ExpiredProducers out;
  std::vector<int64_t>& expired = out.ids;
  {
    // Decided and removed under one lock: an append checked after this fails, one checked
    // before it made the producer active and so kept it.
    MutexLock lock(&mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.active_ms < cutoff_ms) {
        expired.push_back(it->first);
        entries_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  if (expired.empty()) return out;
  rocksdb::WriteBatch batch;
  rocksdb::Status s;
  for (size_t i = 0; i < expired.size() && s.ok(); ++i)
    s = batch.Delete(db_.meta, ProducerEpochMetaKey(expired[i]));
  if (s.ok()) s = db_.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) out.status = FromRocksStatus(s, "delete expired producers");
  return out;
}

size_t ProducerRegistry::Count() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace choreo::storage
