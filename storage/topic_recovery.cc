// TopicRegistry's start-up half: loading topics and per-partition state from RocksDB.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <optional>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "storage/partition_reader.h"
#include "storage/producer_format.h"
#include "storage/range_iterator.h"
#include "storage/string_view_compat.h"
#include "storage/topic_registry.h"

namespace choreo::storage {
namespace {

absl::Status CorruptMeta(const absl::Status& status) {
  return MakeStoreError(StoreErrorKind::kCorruptData, ToStd(status.message()));
}

// Sets a partition's byte positions and size from what `meta` stores (see topic_state.h). `empty`:
// the partition holds no batches. Returns the log start's byte position if it must be stored for
// the size to be known after the next Open (see the caller).
std::optional<int64_t> InitSize(PartitionState& state, const StoredPositions& stored, bool empty) {
  MutexLock lock(&state.size_mu);
  if (!stored.end_bytes.has_value() && !empty) {
    // Data written before byte positions were stored: count from now on, never persist, and
    // leave the size to a retention pass that measures it (nothing is scanned at Open).
    state.end_bytes_durable = false;
    state.next_end_bytes = state.appended_bytes = 0;
    state.size_known = false;
    return std::nullopt;
  }
  // With no 'B' key an empty partition starts its positions at its log start's (0 if unknown).
  const int64_t end = stored.end_bytes.value_or(stored.start_bytes.value_or(0));
  state.end_bytes_durable = true;
  state.next_end_bytes = state.appended_bytes = end;
  if (empty) {
    state.size_known = true;
    state.size_base = -end;
  } else if (stored.start_bytes.has_value() && *stored.start_bytes <= end) {
    state.size_known = true;
    state.size_base = -*stored.start_bytes;
  } else {
    // The log start was moved by a version that did not store its position.
    state.size_known = false;
  }
  if (empty && !stored.start_bytes.has_value()) return end;
  return std::nullopt;
}

}  // namespace

absl::Status TopicRegistry::Load() {
  if (absl::Status s = LoadTopics(); !s.ok()) return s;
  std::vector<std::shared_ptr<TopicState>> topics;
  {
    WriterMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_)
      topics.push_back(topic);
  }
  // Log starts moved by a version that did not store their byte positions, of partitions that
  // are empty now: the start's position is the end's, and the 'L' value must say so, or the size
  // would be unknown after the next Open (one small write per such partition, once).
  rocksdb::WriteBatch upgrades;
  for (const std::shared_ptr<TopicState>& topic : topics) {
    // A missing 'L' key means log start 0 at byte position 0.
    std::vector<StoredPositions> positions(topic->partitions.size(),
                                           StoredPositions{.start_bytes = 0});
    if (absl::Status s = LoadLogStarts(*topic, positions); !s.ok()) return s;
    if (absl::Status s = LoadEndBytes(*topic, positions); !s.ok()) return s;
    if (absl::Status s = RecoverOffsets(*topic, positions, upgrades); !s.ok()) return s;
    if (absl::Status s = LoadProducerStates(*topic); !s.ok()) return s;
  }
  if (upgrades.Count() == 0) return absl::OkStatus();
  // Not synced: if lost, those partitions' sizes are merely unknown after the next Open.
  rocksdb::Status s = db_.db->Write(rocksdb::WriteOptions(), &upgrades);
  if (!s.ok()) return FromRocksStatus(s, "store log start byte positions");
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadTopics() {
  MutexLock admin(&admin_mu_);
  std::string value;
  rocksdb::Status s = db_.db->Get(rocksdb::ReadOptions(), db_.meta, NextTopicIdMetaKey(), &value);
  if (s.ok()) {
    absl::StatusOr<TopicId> next = DecodeNextTopicId(value);
    if (!next.ok()) return CorruptMeta(next.status());
    next_id_ = std::max(*next, TopicId{1});
  } else if (!s.IsNotFound()) {
    return FromRocksStatus(s, "read topic id counter");
  }

  RangeIterator it(db_, db_.meta, std::string(1, kTopicKeyPrefix),
                   std::string(1, kTopicKeyPrefix + 1));
  WriterMutexLock lock(&mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (!IsTopicMetaKey(key)) continue;
    absl::StatusOr<TopicInfo> info =
        DecodeTopicRecord(TopicNameFromMetaKey(key), it->value().ToStringView());
    if (!info.ok()) return CorruptMeta(info.status());
    // Defensive: ids are never reused, even if the counter was lost.
    if (info->id >= next_id_) next_id_ = NextTopicId(info->id);
    std::string name = info->name;
    topics_[name] = std::make_shared<TopicState>(*std::move(info));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load topics");
  next_id_published_.store(next_id_, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadLogStarts(TopicState& topic,
                                          std::vector<StoredPositions>& positions) {
  RangeIterator it(db_, db_.meta, LogStartMetaRangeBegin(topic.info.id),
                   LogStartMetaRangeEnd(topic.info.id));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<PartitionId> partition =
        PartitionFromLogStartKey(topic.info.id, it->key().ToStringView());
    if (!partition.has_value() || *partition >= topic.partitions.size()) continue;
    absl::StatusOr<LogStart> start = DecodeLogStart(it->value().ToStringView());
    if (!start.ok()) return CorruptMeta(start.status());
    topic.partitions[*partition].log_start.store(start->offset);
    positions[*partition].start_bytes = start->start_bytes;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load log start offsets");
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadEndBytes(const TopicState& topic,
                                         std::vector<StoredPositions>& positions) {
  RangeIterator it(db_, db_.meta, EndBytesMetaRangeBegin(topic.info.id),
                   EndBytesMetaRangeEnd(topic.info.id));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<PartitionId> partition =
        PartitionFromEndBytesKey(topic.info.id, it->key().ToStringView());
    if (!partition.has_value() || *partition >= topic.partitions.size()) continue;
    absl::StatusOr<int64_t> end = DecodeEndBytes(it->value().ToStringView());
    if (!end.ok()) return CorruptMeta(end.status());
    positions[*partition].end_bytes = *end;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load end byte positions");
  return absl::OkStatus();
}

absl::Status TopicRegistry::RecoverOffsets(TopicState& topic,
                                           const std::vector<StoredPositions>& positions,
                                           rocksdb::WriteBatch& upgrades) {
  for (PartitionId p = 0; p < topic.partitions.size(); ++p) {
    PartitionState& state = topic.partitions[p];
    absl::StatusOr<Offset> next = RecoverNextOffset(db_, topic.info, p);
    if (!next.ok()) return next.status();
    // A partition trimmed to empty has no keys left; it continues at its log start.
    state.next_offset = std::max(*next, state.log_start.load());
    state.high_watermark.store(state.next_offset);
    const Offset log_start = state.log_start.load();
    std::optional<int64_t> start_bytes =
        InitSize(state, positions[p], state.next_offset == log_start);
    if (start_bytes.has_value()) {
      rocksdb::Status s =
          upgrades.Put(db_.meta, LogStartMetaKey(topic.info.id, p),
                       EncodeLogStart({.offset = log_start, .start_bytes = start_bytes}));
      if (!s.ok()) return FromRocksStatus(s, "stage log start byte position");
    }
  }
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadProducerStates(TopicState& topic) {
  KeyRange range = ProducerTopicKeyRange(topic.info.id);
  RangeIterator it(db_, db_.producers, std::move(range.begin), std::move(range.end));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<ProducerStateKey> key = DecodeProducerStateKey(it->key().ToStringView());
    if (!key.has_value() || key->topic_id != topic.info.id ||
        key->partition >= topic.partitions.size()) {
      continue;  // not a key this version understands; never guess
    }
    absl::StatusOr<ProducerPartitionState> state = DecodeProducerState(it->value().ToStringView());
    if (!state.ok()) {
      return MakeStoreError(
          StoreErrorKind::kCorruptData,
          absl::StrCat("topic '", topic.info.name, "' partition ", key->partition, " producer ",
                       key->producer_id, ": ", state.status().message()));
    }
    topic.partitions[key->partition].producers[key->producer_id] = *std::move(state);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load producer state");
  return absl::OkStatus();
}

}  // namespace choreo::storage
