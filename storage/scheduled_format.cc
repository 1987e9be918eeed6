#include "storage/scheduled_format.h"

#include <absl/status/status.h>
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <rocksdb/compaction_filter.h>

#include <limits>

#include "choreo/common/big_endian.h"
#include "choreo/storage/errors.h"
#include "storage/keys.h"

namespace choreo::storage {
namespace {

constexpr char kDueKind = 'D';
constexpr char kIdKind = 'I';
// version | topic_id | partition | record_count | max_timestamp_ms | topic length
constexpr size_t kDueValueFixed = 1 + 4 + 4 + 4 + 8 + 2;

std::string DuePrefix(int64_t due_ms) {
  std::string key(2 + 8, '\0');
  key[0] = static_cast<char>(kScheduledFormatVersion);
  key[1] = kDueKind;
  PutBigEndian64(key.data() + 2, static_cast<uint64_t>(due_ms));
  return key;
}

absl::Status Corrupt(std::string_view what) {
  return MakeStoreError(StoreErrorKind::kCorruptData,
                        absl::StrCat("scheduled events: ", std::string(what)));
}

}  // namespace

std::string EncodeDueKey(int64_t due_ms, std::string_view id) {
  std::string key = DuePrefix(due_ms);
  key.append(id);
  return key;
}

std::optional<DueKey> DecodeDueKey(std::string_view key) {
  if (key.size() < 10 || static_cast<uint8_t>(key[0]) != kScheduledFormatVersion ||
      key[1] != kDueKind) {
    return std::nullopt;
  }
  const uint64_t due = GetBigEndian64(key.data() + 2);
  if (due > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return DueKey{.due_ms = static_cast<int64_t>(due), .id = std::string(key.substr(10))};
}

KeyRange DueKeyRange(int64_t from_ms, int64_t to_ms) {
  KeyRange range{.begin = DuePrefix(from_ms), .end = {}};
  if (to_ms == std::numeric_limits<int64_t>::max()) {
    range.end = {static_cast<char>(kScheduledFormatVersion), static_cast<char>(kDueKind + 1)};
  } else {
    range.end = DuePrefix(to_ms);
  }
  return range;
}

std::string EncodeIdKey(std::string_view id) {
  std::string key = {static_cast<char>(kScheduledFormatVersion), kIdKind};
  key.append(id);
  return key;
}

KeyRange IdKeyRange() {
  return KeyRange{
      .begin = {static_cast<char>(kScheduledFormatVersion), kIdKind},
      .end = {static_cast<char>(kScheduledFormatVersion), static_cast<char>(kIdKind + 1)}};
}

std::string EncodeDueValue(const DueValue& value) {
  std::string out(kDueValueFixed, '\0');
  out[0] = static_cast<char>(kScheduledFormatVersion);
  PutTopicId(out.data() + 1, value.topic_id);
  PutBigEndian32(out.data() + 5, value.partition);
  PutBigEndian32(out.data() + 9, value.record_count);
  PutBigEndian64(out.data() + 13, static_cast<uint64_t>(value.max_timestamp_ms));
  const uint16_t topic_length = static_cast<uint16_t>(value.topic.size());
  out[21] = static_cast<char>(topic_length >> 8);
  out[22] = static_cast<char>(topic_length & 0xff);
  out.reserve(out.size() + value.topic.size() + value.batch.size());
  out.append(value.topic);
  out.append(value.batch);
  return out;
}

absl::StatusOr<DueValue> DecodeDueValue(std::string_view value) {
  if (value.size() < kDueValueFixed) return Corrupt("due entry shorter than its header");
  if (static_cast<uint8_t>(value[0]) != kScheduledFormatVersion) {
    return Corrupt(
        absl::StrCat("due entry of unknown format version ", static_cast<uint8_t>(value[0])));
  }
  DueValue out;
  out.topic_id = GetTopicId(value.data() + 1);
  out.partition = GetBigEndian32(value.data() + 5);
  out.record_count = GetBigEndian32(value.data() + 9);
  out.max_timestamp_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 13));
  const size_t topic_length =
      (static_cast<size_t>(static_cast<uint8_t>(value[21])) << 8) | static_cast<uint8_t>(value[22]);
  if (value.size() < kDueValueFixed + topic_length) return Corrupt("due entry's topic truncated");
  out.topic = std::string(value.substr(kDueValueFixed, topic_length));
  out.batch = std::string(value.substr(kDueValueFixed + topic_length));
  if (out.batch.empty() || out.record_count == 0) return Corrupt("due entry without a batch");
  return out;
}

std::string EncodeIdValue(const IdValue& value) {
  const bool ended = value.state != IdValue::State::kPending;
  std::string out(ended ? 18 : 9, '\0');
  out[0] = static_cast<char>(kScheduledFormatVersion);
  PutBigEndian64(out.data() + 1, static_cast<uint64_t>(value.due_ms));
  if (ended) {
    out[9] = static_cast<char>(value.state);
    PutBigEndian64(out.data() + 10, static_cast<uint64_t>(value.ended_ms));
  }
  return out;
}

absl::StatusOr<IdValue> DecodeIdValue(std::string_view value) {
  if (value.size() < 9 || static_cast<uint8_t>(value[0]) != kScheduledFormatVersion) {
    return Corrupt("malformed id entry");
  }
  IdValue out;
  out.due_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 1));
  if (value.size() >= 18) {
    const uint8_t state = static_cast<uint8_t>(value[9]);
    if (state != 1 && state != 2) return Corrupt("id entry of unknown state");
    out.state = static_cast<IdValue::State>(state);
    out.ended_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 10));
  }
  return out;
}

namespace {

class TombstoneFilter : public rocksdb::CompactionFilter {
 public:
  const char* Name() const override { return "choreo.ScheduledTombstoneFilter"; }
  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    if (key.size() < 2 || key[1] != kIdKind) return false;
    absl::StatusOr<IdValue> id = DecodeIdValue(value.ToStringView());
    if (!id.ok() || id->state == IdValue::State::kPending) return false;
    return id->ended_ms < absl::ToUnixMillis(absl::Now()) - kScheduledTombstoneTtlMs;
  }
};

class TombstoneFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  const char* Name() const override { return "choreo.ScheduledTombstoneFilterFactory"; }
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    return std::make_unique<TombstoneFilter>();
  }
};

}  // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory> NewScheduledTombstoneFilterFactory() {
  return std::make_shared<TombstoneFilterFactory>();
}

}  // namespace choreo::storage
