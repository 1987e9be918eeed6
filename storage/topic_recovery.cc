// TopicRegistry's start-up half: loading topics and per-partition state from RocksDB.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

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

}  // namespace

absl::Status TopicRegistry::Load() {
  if (absl::Status s = LoadTopics(); !s.ok()) return s;
  std::vector<std::shared_ptr<TopicState>> topics;
  {
    WriterMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_)
      topics.push_back(topic);
  }
  for (const std::shared_ptr<TopicState>& topic : topics) {
    if (absl::Status s = LoadLogStarts(*topic); !s.ok()) return s;
    if (absl::Status s = RecoverOffsets(*topic); !s.ok()) return s;
    if (absl::Status s = LoadProducerStates(*topic); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadTopics() {
  MutexLock admin(&admin_mu_);
  std::string value;
  rocksdb::Status s = db_.db->Get(rocksdb::ReadOptions(), db_.meta, NextTopicIdMetaKey(), &value);
  if (s.ok()) {
    absl::StatusOr<TopicId> next = DecodeNextTopicId(value);
    if (!next.ok()) return CorruptMeta(next.status());
    next_id_ = std::max<TopicId>(*next, 1);
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
    if (info->id >= next_id_) next_id_ = info->id + 1;
    std::string name = info->name;
    topics_[name] = std::make_shared<TopicState>(*std::move(info));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load topics");
  return absl::OkStatus();
}

absl::Status TopicRegistry::LoadLogStarts(TopicState& topic) {
  RangeIterator it(db_, db_.meta, LogStartMetaRangeBegin(topic.info.id),
                   LogStartMetaRangeEnd(topic.info.id));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<PartitionId> partition =
        PartitionFromLogStartKey(topic.info.id, it->key().ToStringView());
    if (!partition.has_value() || *partition >= topic.partitions.size()) continue;
    absl::StatusOr<Offset> start = DecodeLogStart(it->value().ToStringView());
    if (!start.ok()) return CorruptMeta(start.status());
    topic.partitions[*partition].log_start.store(*start);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load log start offsets");
  return absl::OkStatus();
}

absl::Status TopicRegistry::RecoverOffsets(TopicState& topic) {
  for (PartitionId p = 0; p < topic.partitions.size(); ++p) {
    PartitionState& state = topic.partitions[p];
    absl::StatusOr<Offset> next = RecoverNextOffset(db_, topic.info, p);
    if (!next.ok()) return next.status();
    // A partition trimmed to empty has no keys left; it continues at its log start.
    state.next_offset = std::max(*next, state.log_start.load());
    state.high_watermark.store(state.next_offset);
    MutexLock lock(&state.size_mu);
    // An empty partition's size is known (0); a retention pass measures the others on demand.
    state.size_known = state.next_offset == state.log_start.load();
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
