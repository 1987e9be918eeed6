// Keys of the `records` column family: one key per record batch.
//
//   byte 0      format version (kRecordKeyVersion = 1)
//   bytes 1-4   topic id, u32 big-endian
//   bytes 5-8   partition, u32 big-endian
//   bytes 9-16  base offset of the batch, u64 big-endian
//
// Big-endian packing makes byte order equal (topic, partition, offset) order, so one partition is
// one contiguous key range and a read is a SeekForPrev plus a forward scan. The version byte lets a
// future format live next to this one (its keys sort after every version-1 key).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/common/big_endian.h"
#include "choreo/storage/log_store.h"

namespace choreo::storage {

// A topic id in a key or value: 4 bytes, big-endian (every format in this folder).
inline void PutTopicId(char* out, TopicId id) {
  PutBigEndian32(out, ToInt(id));
}
inline TopicId GetTopicId(const char* in) {
  return TopicId{GetBigEndian32(in)};
}

inline constexpr uint8_t kRecordKeyVersion = 1;
inline constexpr size_t kRecordKeySize = 17;

using RecordKey = std::array<char, kRecordKeySize>;

struct DecodedRecordKey {
  TopicId topic_id{};
  PartitionId partition = 0;
  Offset base_offset = 0;
};

// `offset` must be >= 0.
RecordKey EncodeRecordKey(TopicId topic_id, PartitionId partition, Offset offset);
// nullopt unless `key` is exactly kRecordKeySize bytes of version kRecordKeyVersion with an offset
// that fits in an Offset.
std::optional<DecodedRecordKey> DecodeRecordKey(std::string_view key);

inline std::string_view AsStringView(const RecordKey& key) {
  return std::string_view(key.data(), key.size());
}

// A half-open key range [begin, end).
struct KeyRange {
  std::string begin;
  std::string end;
};

// Every key of one partition.
KeyRange PartitionKeyRange(TopicId topic_id, PartitionId partition);
// Every key of one topic, all partitions.
KeyRange TopicKeyRange(TopicId topic_id);

}  // namespace choreo::storage
