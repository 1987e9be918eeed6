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
#include "storage/producer_format.h"
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

absl::StatusOr<TopicInfo> TopicRegistry::Create(std::string_view name, const TopicConfig& config) {
  if (absl::Status s = ValidateTopicName(name); !s.ok()) return s;
  if (absl::Status s = ValidateTopicConfig(config); !s.ok()) return s;
  MutexLock admin(&admin_mu_);
  if (Find(name) != nullptr) {
    return MakeStoreError(StoreErrorKind::kTopicExists,
                          absl::StrCat("topic '", ToAbsl(name), "' already exists"));
  }
  if (next_id_ == kMaxTopicId) {
    return InvalidTopic("topic ids are exhausted");
  }
  TopicInfo info{.id = next_id_, .name = std::string(name), .config = config};
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(db_.meta, TopicMetaKey(name), EncodeTopicRecord(info));
  if (s.ok())
    s = batch.Put(db_.meta, NextTopicIdMetaKey(), EncodeNextTopicId(NextTopicId(info.id)));
  if (s.ok()) s = db_.db->Write(SyncWrite(), &batch);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("create topic '", ToAbsl(name), "'"));
  next_id_ = NextTopicId(info.id);
  next_id_published_.store(next_id_, std::memory_order_release);
  WriterMutexLock lock(&mu_);
  topics_[info.name] = std::make_shared<TopicState>(info);
  return info;
}

absl::Status TopicRegistry::Delete(std::string_view name, StageFn stage_more) {
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
  if (s.ok()) {
    s = batch.DeleteRange(db_.meta, EndBytesMetaRangeBegin(topic->info.id),
                          EndBytesMetaRangeEnd(topic->info.id));
  }
  if (s.ok()) s = batch.DeleteRange(db_.records, records.begin, records.end);
  if (s.ok()) {
    KeyRange producers = ProducerTopicKeyRange(topic->info.id);
    s = batch.DeleteRange(db_.producers, producers.begin, producers.end);
  }
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("delete topic '", ToAbsl(name), "'"));
  if (absl::Status staged = stage_more(topic->info, batch); !staged.ok()) return staged;
  s = db_.db->Write(SyncWrite(), &batch);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("delete topic '", ToAbsl(name), "'"));
  topic->deleted.store(true);
  WriterMutexLock lock(&mu_);
  topics_.erase(topic->info.name);
  return absl::OkStatus();
}

absl::StatusOr<TopicInfo> TopicRegistry::Alter(std::string_view name,
                                               const TopicConfigUpdate& update) {
  MutexLock admin(&admin_mu_);
  std::shared_ptr<TopicState> topic = Find(name);
  if (topic == nullptr) {
    return MakeStoreError(StoreErrorKind::kUnknownTopic,
                          absl::StrCat("unknown topic '", ToAbsl(name), "'"));
  }
  TopicInfo info = topic->info;
  TopicConfig& config = info.config;
  config.partitions = update.partitions.value_or(config.partitions);
  config.retention_ms = update.retention_ms.value_or(config.retention_ms);
  config.retention_bytes = update.retention_bytes.value_or(config.retention_bytes);
  config.max_message_bytes = update.max_message_bytes.value_or(config.max_message_bytes);
  config.index_events = update.index_events.value_or(config.index_events);
  config.schema_validation = update.schema_validation.value_or(config.schema_validation);
  config.log_append_time = update.log_append_time.value_or(config.log_append_time);
  if (config.partitions < topic->info.config.partitions) {
    return InvalidTopic(
        absl::StrCat("topic '", ToAbsl(name), "' has ", topic->info.config.partitions,
                     " partitions; the count can grow but never shrink, got ", config.partitions));
  }
  if (absl::Status s = ValidateTopicConfig(config); !s.ok()) return s;
  rocksdb::Status s =
      db_.db->Put(SyncWrite(), db_.meta, TopicMetaKey(name), EncodeTopicRecord(info));
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("alter topic '", ToAbsl(name), "'"));
  WriterMutexLock lock(&mu_);
  topics_[info.name] = std::make_shared<TopicState>(info, *topic);
  return info;
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

std::vector<std::shared_ptr<TopicState>> TopicRegistry::States() const {
  ReaderMutexLock lock(&mu_);
  std::vector<std::shared_ptr<TopicState>> out;
  out.reserve(topics_.size());
  for (const auto& [name, topic] : topics_)
    out.push_back(topic);
  return out;
}

}  // namespace choreo::storage
