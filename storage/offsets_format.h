// Keys and values of the `offsets` column family: committed consumer-group offsets. All integers
// big-endian; pinned by tests/storage/group_offsets_test.cc.
//
//   key     version u8 (1) | group length u16 | group bytes | topic_id u32 | partition u32
//   value   version u8 (1) | offset i64 | commit_time_ms i64 | metadata length u32 | metadata
//
// The group comes first, so one group is one contiguous key range (fetch = one scan, delete = one
// DeleteRange). The topic is stored by id, not name, so a deleted and recreated topic does not
// inherit the old topic's offsets. A decoder accepts trailing value bytes (fields may be appended
// within version 1).
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/storage/log_store.h"
#include "storage/keys.h"

namespace choreo::storage {

inline constexpr uint8_t kOffsetsKeyVersion = 1;
inline constexpr uint8_t kOffsetsValueVersion = 1;

struct GroupOffsetKey {
  std::string group;
  TopicId topic_id{};
  PartitionId partition = 0;
};

struct GroupOffsetValue {
  Offset offset = 0;
  int64_t commit_time_ms = 0;
  std::string metadata;
};

// `group` must be 1 to kMaxGroupIdLength bytes.
std::string EncodeGroupOffsetKey(std::string_view group, TopicId topic_id, PartitionId partition);
// nullopt unless `key` is a well-formed version-1 key.
std::optional<GroupOffsetKey> DecodeGroupOffsetKey(std::string_view key);
// Every key of one group.
KeyRange GroupKeyRange(std::string_view group);

std::string EncodeGroupOffsetValue(const GroupOffsetValue& value);
// Errors are DataLoss.
absl::StatusOr<GroupOffsetValue> DecodeGroupOffsetValue(std::string_view value);

}  // namespace choreo::storage
