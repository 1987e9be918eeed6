#include "storage/topic_registry.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "storage/partition_reader.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

bool IsTopicNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

absl::Status InvalidTopic(std::string_view message) {
  return MakeStoreError(StoreErrorKind::kInvalidTopic, message);
}

absl::Status CorruptMeta(const absl::Status& status) {
  return MakeStoreError(StoreErrorKind::kCorruptData, ToStd(status.message()));
}

rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;  // metadata changes are rare: always make them durable
  return options;
}

}  // namespace

absl::Status ValidateTopicName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTopicNameLength) {
    return InvalidTopic(absl::StrCat("topic name must be 1 to ", kMaxTopicNameLength,
                                     " characters, got ", name.size()));
  }
  if (name == "." || name == "..") return InvalidTopic("topic name cannot be '.' or '..'");
  if (!std::all_of(name.begin(), name.end(), IsTopicNameChar)) {
    return InvalidTopic("topic name may only contain ASCII letters, digits, '.', '_' and '-'");
  }
  return absl::OkStatus();
}

absl::Status ValidateTopicConfig(const TopicConfig& config) {
  if (config.partitions < 1 || config.partitions > kMaxPartitions) {
    return InvalidTopic(
        absl::StrCat("partition count must be 1 to ", kMaxPartitions, ", got ", config.partitions));
  }
  if (config.retention_ms < -1 || config.retention_bytes < -1) {
    return InvalidTopic("retention_ms and retention_bytes must be -1 (unlimited) or >= 0");
  }
  return absl::OkStatus();
}

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

  const std::string lower(1, kTopicKeyPrefix);
  const std::string upper(1, kTopicKeyPrefix + 1);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(options, db_.meta));
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
  const std::string lower = LogStartMetaRangeBegin(topic.info.id);
  const std::string upper = LogStartMetaRangeEnd(topic.info.id);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(options, db_.meta));
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
  }
  return absl::OkStatus();
}

absl::StatusOr<TopicInfo> TopicRegistry::Create(std::string_view name, const TopicConfig& config) {
  if (absl::Status s = ValidateTopicName(name); !s.ok()) return s;
  if (absl::Status s = ValidateTopicConfig(config); !s.ok()) return s;
  MutexLock admin(&admin_mu_);
  if (Find(name) != nullptr) {
    return MakeStoreError(StoreErrorKind::kTopicExists,
                          absl::StrCat("topic '", ToAbsl(name), "' already exists"));
  }
  if (next_id_ == std::numeric_limits<TopicId>::max()) {
    return InvalidTopic("topic ids are exhausted");
  }
  TopicInfo info{.id = next_id_, .name = std::string(name), .config = config};
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(db_.meta, TopicMetaKey(name), EncodeTopicRecord(info));
  if (s.ok()) s = batch.Put(db_.meta, NextTopicIdMetaKey(), EncodeNextTopicId(info.id + 1));
  if (s.ok()) s = db_.db->Write(SyncWrite(), &batch);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("create topic '", ToAbsl(name), "'"));
  next_id_ = info.id + 1;
  WriterMutexLock lock(&mu_);
  topics_[info.name] = std::make_shared<TopicState>(info);
  return info;
}

absl::Status TopicRegistry::Delete(std::string_view name) {
  MutexLock admin(&admin_mu_);
  std::shared_ptr<TopicState> topic = Find(name);
  if (topic == nullptr) {
    return MakeStoreError(StoreErrorKind::kUnknownTopic,
                          absl::StrCat("unknown topic '", ToAbsl(name), "'"));
  }
  // One DeleteRange for the whole topic: a single range tombstone, and the id is never reused, so
  // nothing is ever written under it again.
  KeyRange records = TopicKeyRange(topic->info.id);
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(db_.meta, TopicMetaKey(name));
  if (s.ok()) {
    s = batch.DeleteRange(db_.meta, LogStartMetaRangeBegin(topic->info.id),
                          LogStartMetaRangeEnd(topic->info.id));
  }
  if (s.ok()) s = batch.DeleteRange(db_.records, records.begin, records.end);
  if (s.ok()) s = db_.db->Write(SyncWrite(), &batch);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("delete topic '", ToAbsl(name), "'"));
  topic->deleted.store(true);
  WriterMutexLock lock(&mu_);
  topics_.erase(topic->info.name);
  return absl::OkStatus();
}

std::shared_ptr<TopicState> TopicRegistry::Find(std::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = topics_.find(ToAbsl(name));
  return it == topics_.end() ? nullptr : it->second;
}

std::vector<TopicInfo> TopicRegistry::List() const {
  std::vector<TopicInfo> out;
  {
    ReaderMutexLock lock(&mu_);
    out.reserve(topics_.size());
    for (const auto& [name, topic] : topics_)
      out.push_back(topic->info);
  }
  std::sort(out.begin(), out.end(),
            [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
  return out;
}

}  // namespace choreo::storage
