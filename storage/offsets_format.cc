#include "storage/offsets_format.h"

#include <absl/strings/str_cat.h>

#include "choreo/common/big_endian.h"
#include "storage/keys.h"

namespace choreo::storage {
namespace {

constexpr size_t kValueFixedSize = 21;

std::string GroupPrefix(std::string_view group) {
  std::string prefix(3, '\0');
  prefix[0] = static_cast<char>(kOffsetsKeyVersion);
  prefix[1] = static_cast<char>((group.size() >> 8) & 0xff);
  prefix[2] = static_cast<char>(group.size() & 0xff);
  prefix.append(group);
  return prefix;
}

}  // namespace

std::string EncodeGroupOffsetKey(std::string_view group, TopicId topic_id, PartitionId partition) {
  std::string key = GroupPrefix(group);
  const size_t at = key.size();
  key.resize(at + 8);
  PutTopicId(key.data() + at, topic_id);
  PutBigEndian32(key.data() + at + 4, partition);
  return key;
}

std::optional<GroupOffsetKey> DecodeGroupOffsetKey(std::string_view key) {
  if (key.size() < 3 || static_cast<uint8_t>(key[0]) != kOffsetsKeyVersion) return std::nullopt;
  const size_t length =
      (static_cast<size_t>(static_cast<uint8_t>(key[1])) << 8) | static_cast<uint8_t>(key[2]);
  if (length == 0 || key.size() != 3 + length + 8) return std::nullopt;
  return GroupOffsetKey{.group = std::string(key.substr(3, length)),
                        .topic_id = GetTopicId(key.data() + 3 + length),
                        .partition = GetBigEndian32(key.data() + 3 + length + 4)};
}

KeyRange GroupKeyRange(std::string_view group) {
  KeyRange range;
  range.begin = GroupPrefix(group);
  // Every key of the group is the prefix plus exactly 8 bytes, so the prefix followed by nine
  // bytes that are all 0xFF is past all of them, and before the next group's keys.
  range.end = range.begin + std::string(9, '\xff');
  return range;
}

std::string EncodeGroupOffsetValue(const GroupOffsetValue& value) {
  std::string out(kValueFixedSize, '\0');
  char* p = out.data();
  p[0] = static_cast<char>(kOffsetsValueVersion);
  PutBigEndian64(p + 1, static_cast<uint64_t>(value.offset));
  PutBigEndian64(p + 9, static_cast<uint64_t>(value.commit_time_ms));
  PutBigEndian32(p + 17, static_cast<uint32_t>(value.metadata.size()));
  out.append(value.metadata);
  return out;
}

absl::StatusOr<GroupOffsetValue> DecodeGroupOffsetValue(std::string_view value) {
  if (value.size() < kValueFixedSize || static_cast<uint8_t>(value[0]) != kOffsetsValueVersion) {
    return absl::DataLossError("committed offset: unknown version or short value");
  }
  const char* p = value.data();
  const uint32_t metadata_size = GetBigEndian32(p + 17);
  if (value.size() - kValueFixedSize < metadata_size) {
    return absl::DataLossError(absl::StrCat("committed offset: metadata of ", metadata_size,
                                            " bytes in a value of ", value.size()));
  }
  GroupOffsetValue out{.offset = static_cast<Offset>(GetBigEndian64(p + 1)),
                       .commit_time_ms = static_cast<int64_t>(GetBigEndian64(p + 9)),
                       .metadata = std::string(value.substr(kValueFixedSize, metadata_size))};
  if (out.offset < 0) return absl::DataLossError("committed offset: negative offset");
  return out;
}

}  // namespace choreo::storage
