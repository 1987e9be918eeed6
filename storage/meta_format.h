// Keys and values of the `meta` column family. The first key byte says what a key is; the bytes
// are fixed here and pinned by a test (never reuse or reorder them).
//
//   key                                   value
//   'T' | topic name                      TopicRecord: version u8 (1) | topic_id u32 |
//                                         partitions u32 | retention_ms i64 |
//                                         retention_bytes i64 | max_message_bytes u64 |
//                                         [flags u8: bit 0 = event index off,
//                                         bit 1 = schema validation on,
//                                         bit 2 = log append time]  (33 or 34 bytes)
//   'N'                                   next topic id: version u8 (1) | u32   (5 bytes)
//   'L' | topic_id u32 | partition u32    log start: version u8 (1) | offset u64 |
//                                         [start_bytes u64]   (9 or 17 bytes)
//   'B' | topic_id u32 | partition u32    end bytes: version u8 (1) | appended_bytes u64 (9 bytes)
//   'P'                                   next producer id: version u8 (1) | u64   (9 bytes)
//   'E' | producer_id u64                 producer epoch: version u8 (1) | i32 | active_ms i64
//                                           (13 bytes; 5 before active_ms was appended)
//   'S' | saga definition name            saga definition (event_index_format.h)
//   'Y' | subject | 0x00 | version u32    registered schema version (schema_format.h)
//   'U' | user name                       security records (security_store.h,
//   'A' | encoded ACL binding             log_store_security.cc): version u8 (1) | opaque bytes
//   'O' | producer id u64                 the broker encodes (broker/security/)
//
// Byte positions: a partition's appended batch bytes since its creation (the origin). 'B' holds
// the position of the partition's end, written with every group commit that appends to it;
// start_bytes the position of the log start (bytes appended before it), written by retention when
// it knows it (a value without it, as written before byte positions existed: unknown).
//
// All integers big-endian. A decoder accepts its version with trailing bytes, so fields may be
// appended within version 1; an incompatible change takes a new version.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/storage/log_store.h"

namespace choreo::storage {

inline constexpr char kTopicKeyPrefix = 'T';
inline constexpr char kNextTopicIdKey = 'N';
inline constexpr char kLogStartKeyPrefix = 'L';
inline constexpr char kNextProducerIdKey = 'P';
inline constexpr char kProducerEpochKeyPrefix = 'E';
inline constexpr char kEndBytesKeyPrefix = 'B';
inline constexpr char kSagaDefinitionKeyPrefix = 'S';
// 'Y' (schema versions) is declared in schema_format.h.
inline constexpr uint8_t kTopicFlagEventIndexOff = 1;
inline constexpr uint8_t kTopicFlagSchemaValidation = 2;
inline constexpr uint8_t kTopicFlagLogAppendTime = 4;
inline constexpr uint8_t kMetaValueVersion = 1;

std::string TopicMetaKey(std::string_view name);
bool IsTopicMetaKey(std::string_view key);
// The name in a key for which IsTopicMetaKey() holds.
std::string_view TopicNameFromMetaKey(std::string_view key);

std::string EncodeTopicRecord(const TopicInfo& info);
// `name` is taken from the key; errors are DataLoss.
absl::StatusOr<TopicInfo> DecodeTopicRecord(std::string_view name, std::string_view value);

std::string NextTopicIdMetaKey();
std::string EncodeNextTopicId(TopicId next);
absl::StatusOr<TopicId> DecodeNextTopicId(std::string_view value);

std::string LogStartMetaKey(TopicId topic_id, PartitionId partition);
// [begin, end) of every log start key of one topic.
std::string LogStartMetaRangeBegin(TopicId topic_id);
std::string LogStartMetaRangeEnd(TopicId topic_id);
// The partition of a log start key of `topic_id`, nullopt if `key` is not one.
std::optional<PartitionId> PartitionFromLogStartKey(TopicId topic_id, std::string_view key);
struct LogStart {
  Offset offset = 0;
  // Batch bytes appended before `offset` since the partition's creation; nullopt if not stored.
  std::optional<int64_t> start_bytes = std::nullopt;
};
std::string EncodeLogStart(const LogStart& start);
absl::StatusOr<LogStart> DecodeLogStart(std::string_view value);

// The byte position of a partition's end: batch bytes appended since its creation.
std::string EndBytesMetaKey(TopicId topic_id, PartitionId partition);
// [begin, end) of every end-bytes key of one topic.
std::string EndBytesMetaRangeBegin(TopicId topic_id);
std::string EndBytesMetaRangeEnd(TopicId topic_id);
// The partition of an end-bytes key of `topic_id`, nullopt if `key` is not one.
std::optional<PartitionId> PartitionFromEndBytesKey(TopicId topic_id, std::string_view key);
std::string EncodeEndBytes(int64_t appended_bytes);
absl::StatusOr<int64_t> DecodeEndBytes(std::string_view value);

// Idempotent producers: the id counter and each allocated producer's current epoch. A producer id
// is known (allocated) exactly when its epoch key exists.
std::string NextProducerIdMetaKey();
std::string EncodeNextProducerId(int64_t next);
absl::StatusOr<int64_t> DecodeNextProducerId(std::string_view value);
std::string ProducerEpochMetaKey(int64_t producer_id);
// [begin, end) of every producer epoch key.
std::string ProducerEpochMetaRangeBegin();
std::string ProducerEpochMetaRangeEnd();
// The producer id of an epoch key, nullopt if `key` is not one.
std::optional<int64_t> ProducerIdFromEpochKey(std::string_view key);
// active_ms: when the producer was allocated or its epoch bumped (ms since the Unix epoch), the
// start of its idle time until it appends (producer-id expiry); -1 when decoding a value written
// before the field existed.
struct ProducerEpochValue {
  int32_t epoch = 0;
  int64_t active_ms = -1;
};
std::string EncodeProducerEpoch(const ProducerEpochValue& value);
absl::StatusOr<ProducerEpochValue> DecodeProducerEpoch(std::string_view value);

}  // namespace choreo::storage
