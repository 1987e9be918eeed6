#include "storage/group_offsets.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <optional>

#include "choreo/storage/errors.h"
#include "storage/offsets_format.h"
#include "storage/range_iterator.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

absl::Status ValidateGroup(std::string_view group) {
  if (group.empty() || group.size() > kMaxGroupIdLength) {
    return MakeStoreError(
        StoreErrorKind::kInvalidGroupId,
        absl::StrCat("group id must be 1 to ", kMaxGroupIdLength, " bytes, got ", group.size()));
  }
  return absl::OkStatus();
}

absl::Status Corrupt(std::string_view group, const absl::Status& status) {
  return MakeStoreError(StoreErrorKind::kCorruptData,
                        absl::StrCat("group '", ToAbsl(group), "': ", status.message()));
}

}  // namespace

absl::StatusOr<std::vector<ResolvedGroupOffset>> ResolveGroupOffsets(
    const TopicRegistry& topics, std::string_view group, const std::vector<GroupOffset>& offsets,
    int64_t now_ms) {
  if (absl::Status s = ValidateGroup(group); !s.ok()) return s;
  std::vector<ResolvedGroupOffset> out;
  out.reserve(offsets.size());
  for (const GroupOffset& entry : offsets) {
    std::shared_ptr<TopicState> topic = topics.Find(entry.topic);
    if (topic == nullptr) {
      return MakeStoreError(StoreErrorKind::kUnknownTopic,
                            absl::StrCat("commit for group '", ToAbsl(group), "': unknown topic '",
                                         entry.topic, "'"));
    }
    if (entry.partition >= topic->partitions.size()) {
      return MakeStoreError(StoreErrorKind::kInvalidPartition,
                            absl::StrCat("commit for group '", ToAbsl(group), "': topic '",
                                         entry.topic, "' has no partition ", entry.partition));
    }
    if (entry.offset < 0) {
      return MakeStoreError(StoreErrorKind::kOffsetOutOfRange,
                            absl::StrCat("commit for group '", ToAbsl(group), "': offset ",
                                         entry.offset, " is negative"));
    }
    if (entry.metadata.size() > kMaxOffsetMetadataBytes) {
      return MakeStoreError(
          StoreErrorKind::kOffsetMetadataTooLarge,
          absl::StrCat("commit for group '", ToAbsl(group), "': metadata of ",
                       entry.metadata.size(), " bytes exceeds ", kMaxOffsetMetadataBytes));
    }
    out.push_back(ResolvedGroupOffset{
        .topic = std::move(topic),
        .partition = entry.partition,
        .value = {.offset = entry.offset,
                  .commit_time_ms = entry.commit_time_ms != 0 ? entry.commit_time_ms : now_ms,
                  .metadata = entry.metadata}});
  }
  return out;
}

absl::Status StageGroupOffsets(const StoreDb& db, std::string_view group,
                               const std::vector<ResolvedGroupOffset>& offsets,
                               rocksdb::WriteBatch& batch) {
  for (const ResolvedGroupOffset& entry : offsets) {
    rocksdb::Status s =
        batch.Put(db.offsets, EncodeGroupOffsetKey(group, entry.topic->info.id, entry.partition),
                  EncodeGroupOffsetValue(entry.value));
    if (!s.ok()) return FromRocksStatus(s, "stage committed offset");
  }
  return absl::OkStatus();
}

absl::Status GroupOffsetStore::Commit(std::string_view group,
                                      const std::vector<GroupOffset>& offsets) {
  absl::StatusOr<std::vector<ResolvedGroupOffset>> resolved =
      ResolveGroupOffsets(topics_, group, offsets, absl::ToUnixMillis(absl::Now()));
  if (!resolved.ok()) return resolved.status();
  if (absl::Status refused =
          db_.CheckWritable(absl::StrCat("commit offsets of group '", ToAbsl(group), "'"));
      !refused.ok()) {
    return refused;
  }
  rocksdb::WriteBatch batch;
  if (absl::Status s = StageGroupOffsets(db_, group, *resolved, batch); !s.ok()) return s;
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  rocksdb::Status s = db_.db->Write(options, &batch);
  if (!s.ok())
    return FromRocksStatus(s, absl::StrCat("commit offsets of group '", ToAbsl(group), "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<GroupOffset>> GroupOffsetStore::FetchAll(std::string_view group) const {
  if (absl::Status s = ValidateGroup(group); !s.ok()) return s;
  absl::flat_hash_map<TopicId, TopicInfo> topics;
  for (TopicInfo& info : topics_.List())
    topics.emplace(info.id, std::move(info));
  KeyRange range = GroupKeyRange(group);
  RangeIterator it(db_, db_.offsets, std::move(range.begin), std::move(range.end));
  std::vector<GroupOffset> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<GroupOffsetKey> key = DecodeGroupOffsetKey(it->key().ToStringView());
    if (!key.has_value()) continue;  // not a key this version understands
    auto topic = topics.find(key->topic_id);
    // A topic deleted since (its offsets go with it, but a commit may have raced the deletion).
    if (topic == topics.end() || key->partition >= topic->second.config.partitions) continue;
    absl::StatusOr<GroupOffsetValue> value = DecodeGroupOffsetValue(it->value().ToStringView());
    if (!value.ok()) return Corrupt(group, value.status());
    out.push_back(GroupOffset{.topic = topic->second.name,
                              .partition = key->partition,
                              .offset = value->offset,
                              .metadata = std::move(value->metadata),
                              .commit_time_ms = value->commit_time_ms});
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "fetch committed offsets");
  return out;
}

absl::StatusOr<std::vector<GroupOffset>> GroupOffsetStore::Fetch(
    std::string_view group, const std::vector<TopicPartition>& partitions) const {
  if (absl::Status s = ValidateGroup(group); !s.ok()) return s;
  std::vector<GroupOffset> out;
  out.reserve(partitions.size());
  for (const TopicPartition& tp : partitions) {
    std::shared_ptr<TopicState> topic = topics_.Find(tp.topic);
    if (topic == nullptr) {
      return MakeStoreError(StoreErrorKind::kUnknownTopic,
                            absl::StrCat("unknown topic '", tp.topic, "'"));
    }
    if (tp.partition >= topic->partitions.size()) {
      return MakeStoreError(StoreErrorKind::kInvalidPartition,
                            absl::StrCat("topic '", tp.topic, "' has no partition ", tp.partition));
    }
    GroupOffset entry;
    entry.topic = tp.topic;
    entry.partition = tp.partition;
    std::string value;
    rocksdb::Status s =
        db_.db->Get(rocksdb::ReadOptions(), db_.offsets,
                    EncodeGroupOffsetKey(group, topic->info.id, tp.partition), &value);
    if (s.ok()) {
      absl::StatusOr<GroupOffsetValue> decoded = DecodeGroupOffsetValue(value);
      if (!decoded.ok()) return Corrupt(group, decoded.status());
      entry.offset = decoded->offset;
      entry.metadata = std::move(decoded->metadata);
      entry.commit_time_ms = decoded->commit_time_ms;
    } else if (!s.IsNotFound()) {
      return FromRocksStatus(s, "fetch committed offset");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

absl::Status GroupOffsetStore::DeleteGroup(std::string_view group) {
  if (absl::Status s = ValidateGroup(group); !s.ok()) return s;
  if (absl::Status refused = db_.CheckWritable(absl::StrCat("delete group '", ToAbsl(group), "'"));
      !refused.ok()) {
    return refused;
  }
  KeyRange range = GroupKeyRange(group);
  rocksdb::WriteOptions options;
  options.sync = fsync_ != FsyncPolicy::kNever;
  rocksdb::Status s = db_.db->DeleteRange(options, db_.offsets, range.begin, range.end);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("delete group '", ToAbsl(group), "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> GroupOffsetStore::ListGroups() const {
  std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.offsets));
  std::vector<std::string> groups;
  it->SeekToFirst();
  while (it->Valid()) {
    std::optional<GroupOffsetKey> key = DecodeGroupOffsetKey(it->key().ToStringView());
    if (!key.has_value()) {
      it->Next();
      continue;
    }
    groups.push_back(key->group);
    it->Seek(GroupKeyRange(key->group).end);  // skip the rest of this group
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "list groups");
  std::sort(groups.begin(), groups.end());  // keys sort by (length, name); callers want names
  return groups;
}

absl::Status GroupOffsetStore::StageTopicDeletion(TopicId topic_id,
                                                  rocksdb::WriteBatch& batch) const {
  std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.offsets));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<GroupOffsetKey> key = DecodeGroupOffsetKey(it->key().ToStringView());
    if (!key.has_value() || key->topic_id != topic_id) continue;
    rocksdb::Status s = batch.Delete(db_.offsets, it->key());
    if (!s.ok()) return FromRocksStatus(s, "stage deletion of committed offsets");
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "scan committed offsets");
  return absl::OkStatus();
}

}  // namespace choreo::storage
