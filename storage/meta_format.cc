#include "storage/meta_format.h"

#include <absl/strings/str_cat.h>

#include <limits>

#include "choreo/common/big_endian.h"
#include "storage/keys.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

constexpr size_t kTopicRecordSize = 33;

absl::Status CheckVersion(absl::string_view what, std::string_view value, size_t min_size) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kMetaValueVersion) {
    return absl::DataLossError(absl::StrCat(what, ": unknown metadata version"));
  }
  if (value.size() < min_size) {
    return absl::DataLossError(absl::StrCat(what, ": metadata value of ", value.size(),
                                            " bytes, expected at least ", min_size));
  }
  return absl::OkStatus();
}

// Keys of per-partition values: prefix | topic_id u32 | partition u32, so a topic's keys of one
// kind are one range.
std::string TopicPrefix(char prefix, TopicId topic_id) {
  std::string key(5, '\0');
  key[0] = prefix;
  PutTopicId(key.data() + 1, topic_id);
  return key;
}

std::string TopicPrefixEnd(char prefix, TopicId topic_id) {
  if (topic_id == kMaxTopicId) return std::string(1, prefix + 1);
  return TopicPrefix(prefix, NextTopicId(topic_id));
}

std::string PartitionMetaKey(char prefix, TopicId topic_id, PartitionId partition) {
  std::string key = TopicPrefix(prefix, topic_id);
  key.resize(9);
  PutBigEndian32(key.data() + 5, partition);
  return key;
}

std::optional<PartitionId> PartitionFromMetaKey(char prefix, TopicId topic_id,
                                                std::string_view key) {
  if (key.size() != 9 || key[0] != prefix) return std::nullopt;
  if (GetTopicId(key.data() + 1) != topic_id) return std::nullopt;
  return GetBigEndian32(key.data() + 5);
}

absl::StatusOr<int64_t> DecodeNonNegative64(absl::string_view what, const char* p) {
  uint64_t value = GetBigEndian64(p);
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::DataLossError(absl::StrCat(what, " out of range"));
  }
  return static_cast<int64_t>(value);
}

}  // namespace

std::string TopicMetaKey(std::string_view name) {
  return absl::StrCat("T", ToAbsl(name));
}

bool IsTopicMetaKey(std::string_view key) {
  return key.size() > 1 && key[0] == kTopicKeyPrefix;
}

std::string_view TopicNameFromMetaKey(std::string_view key) {
  return key.substr(1);
}

std::string EncodeTopicRecord(const TopicInfo& info) {
  std::string out(kTopicRecordSize, '\0');
  char* p = out.data();
  p[0] = static_cast<char>(kMetaValueVersion);
  PutTopicId(p + 1, info.id);
  PutBigEndian32(p + 5, info.config.partitions);
  PutBigEndian64(p + 9, static_cast<uint64_t>(info.config.retention_ms));
  PutBigEndian64(p + 17, static_cast<uint64_t>(info.config.retention_bytes));
  PutBigEndian64(p + 25, info.config.max_message_bytes);
  // Appended only when not the default, so topics written before the flag existed and topics
  // with the default read the same in every version.
  uint8_t flags = 0;
  if (!info.config.index_events) flags |= kTopicFlagEventIndexOff;
  if (info.config.schema_validation) flags |= kTopicFlagSchemaValidation;
  if (info.config.log_append_time) flags |= kTopicFlagLogAppendTime;
  if (flags != 0) out.push_back(static_cast<char>(flags));
  return out;
}

absl::StatusOr<TopicInfo> DecodeTopicRecord(std::string_view name, std::string_view value) {
  std::string what = absl::StrCat("topic '", ToAbsl(name), "'");
  if (absl::Status s = CheckVersion(what, value, kTopicRecordSize); !s.ok()) return s;
  const char* p = value.data();
  TopicInfo info;
  info.name = std::string(name);
  info.id = GetTopicId(p + 1);
  info.config.partitions = GetBigEndian32(p + 5);
  info.config.retention_ms = static_cast<int64_t>(GetBigEndian64(p + 9));
  info.config.retention_bytes = static_cast<int64_t>(GetBigEndian64(p + 17));
  info.config.max_message_bytes = GetBigEndian64(p + 25);
  if (value.size() > kTopicRecordSize) {
    const auto flags = static_cast<uint8_t>(value[kTopicRecordSize]);
    info.config.index_events = (flags & kTopicFlagEventIndexOff) == 0;
    info.config.schema_validation = (flags & kTopicFlagSchemaValidation) != 0;
    info.config.log_append_time = (flags & kTopicFlagLogAppendTime) != 0;
  }
  if (info.id == TopicId{} || info.config.partitions == 0 ||
      info.config.partitions > kMaxPartitions) {
    return absl::DataLossError(absl::StrCat(what, ": invalid id or partition count"));
  }
  return info;
}

std::string NextTopicIdMetaKey() {
  return std::string(1, kNextTopicIdKey);
}

std::string EncodeNextTopicId(TopicId next) {
  std::string out(5, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutTopicId(out.data() + 1, next);
  return out;
}

absl::StatusOr<TopicId> DecodeNextTopicId(std::string_view value) {
  if (absl::Status s = CheckVersion("next topic id", value, 5); !s.ok()) return s;
  return GetTopicId(value.data() + 1);
}

std::string LogStartMetaKey(TopicId topic_id, PartitionId partition) {
  return PartitionMetaKey(kLogStartKeyPrefix, topic_id, partition);
}

std::string LogStartMetaRangeBegin(TopicId topic_id) {
  return TopicPrefix(kLogStartKeyPrefix, topic_id);
}

std::string LogStartMetaRangeEnd(TopicId topic_id) {
  return TopicPrefixEnd(kLogStartKeyPrefix, topic_id);
}

std::optional<PartitionId> PartitionFromLogStartKey(TopicId topic_id, std::string_view key) {
  return PartitionFromMetaKey(kLogStartKeyPrefix, topic_id, key);
}

std::string EncodeLogStart(const LogStart& start) {
  std::string out(start.start_bytes.has_value() ? 17 : 9, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutBigEndian64(out.data() + 1, static_cast<uint64_t>(start.offset));
  if (start.start_bytes.has_value()) {
    PutBigEndian64(out.data() + 9, static_cast<uint64_t>(*start.start_bytes));
  }
  return out;
}

absl::StatusOr<LogStart> DecodeLogStart(std::string_view value) {
  if (absl::Status s = CheckVersion("log start offset", value, 9); !s.ok()) return s;
  LogStart start;
  absl::StatusOr<int64_t> offset = DecodeNonNegative64("log start offset", value.data() + 1);
  if (!offset.ok()) return offset.status();
  start.offset = *offset;
  // Written before byte positions existed (or without them): the start's position is unknown.
  if (value.size() >= 17) {
    absl::StatusOr<int64_t> bytes = DecodeNonNegative64("log start bytes", value.data() + 9);
    if (!bytes.ok()) return bytes.status();
    start.start_bytes = *bytes;
  }
  return start;
}

std::string EndBytesMetaKey(TopicId topic_id, PartitionId partition) {
  return PartitionMetaKey(kEndBytesKeyPrefix, topic_id, partition);
}

std::string EndBytesMetaRangeBegin(TopicId topic_id) {
  return TopicPrefix(kEndBytesKeyPrefix, topic_id);
}

std::string EndBytesMetaRangeEnd(TopicId topic_id) {
  return TopicPrefixEnd(kEndBytesKeyPrefix, topic_id);
}

std::optional<PartitionId> PartitionFromEndBytesKey(TopicId topic_id, std::string_view key) {
  return PartitionFromMetaKey(kEndBytesKeyPrefix, topic_id, key);
}

std::string EncodeEndBytes(int64_t appended_bytes) {
  std::string out(9, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutBigEndian64(out.data() + 1, static_cast<uint64_t>(appended_bytes));
  return out;
}

absl::StatusOr<int64_t> DecodeEndBytes(std::string_view value) {
  if (absl::Status s = CheckVersion("end bytes", value, 9); !s.ok()) return s;
  return DecodeNonNegative64("end bytes", value.data() + 1);
}

std::string NextProducerIdMetaKey() {
  return std::string(1, kNextProducerIdKey);
}

std::string EncodeNextProducerId(int64_t next) {
  std::string out(9, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutBigEndian64(out.data() + 1, static_cast<uint64_t>(next));
  return out;
}

absl::StatusOr<int64_t> DecodeNextProducerId(std::string_view value) {
  if (absl::Status s = CheckVersion("next producer id", value, 9); !s.ok()) return s;
  const auto next = static_cast<int64_t>(GetBigEndian64(value.data() + 1));
  if (next < 0) return absl::DataLossError("next producer id out of range");
  return next;
}

std::string ProducerEpochMetaKey(int64_t producer_id) {
  std::string key(9, '\0');
  key[0] = kProducerEpochKeyPrefix;
  PutBigEndian64(key.data() + 1, static_cast<uint64_t>(producer_id));
  return key;
}

std::string ProducerEpochMetaRangeBegin() {
  return std::string(1, kProducerEpochKeyPrefix);
}

std::string ProducerEpochMetaRangeEnd() {
  return std::string(1, kProducerEpochKeyPrefix + 1);
}

std::optional<int64_t> ProducerIdFromEpochKey(std::string_view key) {
  if (key.size() != 9 || key[0] != kProducerEpochKeyPrefix) return std::nullopt;
  const auto id = static_cast<int64_t>(GetBigEndian64(key.data() + 1));
  if (id < 0) return std::nullopt;
  return id;
}

std::string EncodeProducerEpoch(const ProducerEpochValue& value) {
  std::string out(13, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutBigEndian32(out.data() + 1, static_cast<uint32_t>(value.epoch));
  PutBigEndian64(out.data() + 5, static_cast<uint64_t>(value.active_ms));
  return out;
}

absl::StatusOr<ProducerEpochValue> DecodeProducerEpoch(std::string_view value) {
  if (absl::Status s = CheckVersion("producer epoch", value, 5); !s.ok()) return s;
  ProducerEpochValue out;
  out.epoch = static_cast<int32_t>(GetBigEndian32(value.data() + 1));
  if (out.epoch < 0) return absl::DataLossError("producer epoch out of range");
  if (value.size() >= 13) out.active_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 5));
  return out;
}

}  // namespace choreo::storage
