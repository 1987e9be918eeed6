#include "storage/producer_format.h"

#include <absl/strings/str_cat.h>

#include <limits>

#include "choreo/common/big_endian.h"
#include "storage/keys.h"

namespace choreo::storage {
namespace {

constexpr size_t kValueFixedSize = 10;
constexpr size_t kWindowEntrySize = 16;

std::string TopicPrefix(TopicId topic_id) {
  std::string prefix(5, '\0');
  prefix[0] = static_cast<char>(kProducerKeyVersion);
  PutTopicId(prefix.data() + 1, topic_id);
  return prefix;
}

}  // namespace

std::string EncodeProducerStateKey(const ProducerStateKey& key) {
  std::string out(kProducerKeySize, '\0');
  out[0] = static_cast<char>(kProducerKeyVersion);
  PutTopicId(out.data() + 1, key.topic_id);
  PutBigEndian32(out.data() + 5, key.partition);
  PutBigEndian64(out.data() + 9, static_cast<uint64_t>(key.producer_id));
  return out;
}

std::optional<ProducerStateKey> DecodeProducerStateKey(std::string_view key) {
  if (key.size() != kProducerKeySize) return std::nullopt;
  if (static_cast<uint8_t>(key[0]) != kProducerKeyVersion) return std::nullopt;
  uint64_t producer_id = GetBigEndian64(key.data() + 9);
  if (producer_id > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return ProducerStateKey{.topic_id = GetTopicId(key.data() + 1),
                          .partition = GetBigEndian32(key.data() + 5),
                          .producer_id = static_cast<int64_t>(producer_id)};
}

KeyRange ProducerTopicKeyRange(TopicId topic_id) {
  KeyRange range;
  range.begin = TopicPrefix(topic_id);
  range.end = topic_id != kMaxTopicId ? TopicPrefix(NextTopicId(topic_id))
                                      : std::string(1, static_cast<char>(kProducerKeyVersion + 1));
  return range;
}

std::string EncodeProducerState(const ProducerPartitionState& state) {
  std::string out(kValueFixedSize + kWindowEntrySize * state.window.size() + 8, '\0');
  char* p = out.data();
  p[0] = static_cast<char>(kProducerValueVersion);
  PutBigEndian32(p + 1, static_cast<uint32_t>(state.epoch));
  PutBigEndian32(p + 5, static_cast<uint32_t>(state.last_sequence));
  p[9] = static_cast<char>(state.window.size());
  p += kValueFixedSize;
  for (const SequenceWindowEntry& entry : state.window) {
    PutBigEndian32(p, static_cast<uint32_t>(entry.base_sequence));
    PutBigEndian32(p + 4, entry.record_count);
    PutBigEndian64(p + 8, static_cast<uint64_t>(entry.base_offset));
    p += kWindowEntrySize;
  }
  PutBigEndian64(p, static_cast<uint64_t>(state.last_append_ms));
  return out;
}

absl::StatusOr<ProducerPartitionState> DecodeProducerState(std::string_view value) {
  if (value.size() < kValueFixedSize || static_cast<uint8_t>(value[0]) != kProducerValueVersion) {
    return absl::DataLossError("producer state: unknown version or short value");
  }
  const char* p = value.data();
  ProducerPartitionState state;
  state.epoch = static_cast<int32_t>(GetBigEndian32(p + 1));
  state.last_sequence = static_cast<int32_t>(GetBigEndian32(p + 5));
  const size_t count = static_cast<uint8_t>(p[9]);
  if (count > kProducerWindowSize || value.size() < kValueFixedSize + count * kWindowEntrySize) {
    return absl::DataLossError(
        absl::StrCat("producer state: ", count, " window entries in ", value.size(), " bytes"));
  }
  p += kValueFixedSize;
  for (size_t i = 0; i < count; ++i, p += kWindowEntrySize) {
    SequenceWindowEntry entry{.base_sequence = static_cast<int32_t>(GetBigEndian32(p)),
                              .record_count = GetBigEndian32(p + 4),
                              .base_offset = static_cast<Offset>(GetBigEndian64(p + 8))};
    if (entry.base_offset < 0 || entry.record_count == 0) {
      return absl::DataLossError("producer state: invalid window entry");
    }
    state.window.push_back(entry);
  }
  // Values written before the field existed end here: the time is unknown.
  if (value.size() >= kValueFixedSize + count * kWindowEntrySize + 8) {
    state.last_append_ms = static_cast<int64_t>(GetBigEndian64(p));
  }
  return state;
}

}  // namespace choreo::storage
