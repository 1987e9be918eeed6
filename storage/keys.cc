#include "storage/keys.h"

#include <limits>

#include "choreo/common/big_endian.h"

namespace choreo::storage {
namespace {

std::string ToString(const RecordKey& key) {
  return std::string(key.data(), key.size());
}

// The first key after every version-1 key: a lone version-2 byte sorts after all of them.
std::string EndOfVersionRange() {
  return std::string(1, static_cast<char>(kRecordKeyVersion + 1));
}

// Only the first 9 bytes (version, topic, partition): a prefix that sorts before all keys with it.
std::string PartitionPrefix(TopicId topic_id, PartitionId partition) {
  std::string prefix(9, '\0');
  prefix[0] = static_cast<char>(kRecordKeyVersion);
  PutTopicId(prefix.data() + 1, topic_id);
  PutBigEndian32(prefix.data() + 5, partition);
  return prefix;
}

}  // namespace

RecordKey EncodeRecordKey(TopicId topic_id, PartitionId partition, Offset offset) {
  RecordKey key;
  key[0] = static_cast<char>(kRecordKeyVersion);
  PutTopicId(key.data() + 1, topic_id);
  PutBigEndian32(key.data() + 5, partition);
  PutBigEndian64(key.data() + 9, static_cast<uint64_t>(offset));
  return key;
}

std::optional<DecodedRecordKey> DecodeRecordKey(std::string_view key) {
  if (key.size() != kRecordKeySize) return std::nullopt;
  if (static_cast<uint8_t>(key[0]) != kRecordKeyVersion) return std::nullopt;
  uint64_t offset = GetBigEndian64(key.data() + 9);
  if (offset > static_cast<uint64_t>(std::numeric_limits<Offset>::max())) return std::nullopt;
  return DecodedRecordKey{.topic_id = GetTopicId(key.data() + 1),
                          .partition = GetBigEndian32(key.data() + 5),
                          .base_offset = static_cast<Offset>(offset)};
}

KeyRange PartitionKeyRange(TopicId topic_id, PartitionId partition) {
  KeyRange range;
  range.begin = ToString(EncodeRecordKey(topic_id, partition, 0));
  if (partition != std::numeric_limits<PartitionId>::max()) {
    range.end = PartitionPrefix(topic_id, partition + 1);
  } else if (topic_id != kMaxTopicId) {
    range.end = PartitionPrefix(NextTopicId(topic_id), 0);
  } else {
    range.end = EndOfVersionRange();
  }
  return range;
}

KeyRange TopicKeyRange(TopicId topic_id) {
  KeyRange range;
  range.begin = ToString(EncodeRecordKey(topic_id, 0, 0));
  range.end =
      topic_id != kMaxTopicId ? PartitionPrefix(NextTopicId(topic_id), 0) : EndOfVersionRange();
  return range;
}

}  // namespace choreo::storage
