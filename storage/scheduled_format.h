// Keys and values of the `scheduled` column family: events stored now and appended to their topic
// when due (scheduled_events.h). All integers big-endian; pinned by
// tests/storage/scheduled_events_test.cc.
//
//   due entry   key    version u8 (1) | 'D' | due_ms u64 | id bytes
//               value  version u8 (1) | topic_id u32 | partition u32 | record_count u32 |
//                      max_timestamp_ms i64 | topic length u16 | topic | batch bytes (the rest)
//   id entry    key    version u8 (1) | 'I' | id bytes
//               value  version u8 (1) | due_ms u64                     a pending event
//                      ... | state u8 (1 delivered, 2 cancelled) | ended_ms i64   an ended one
//
// Due entries sort by due time, so the next due event is the first key of the 'D' range and the
// delivery pass is one bounded forward scan. The id entry finds an event's due entry (cancel,
// re-arm) without scanning. Both are written together, in one WriteBatch; when the event is
// delivered or cancelled its due entry is deleted and its id entry becomes a tombstone saying
// which, in the same write, so a repeated cancel (a retry, a redelivered handler) learns what
// happened instead of "unknown". Tombstones are dropped by a compaction filter
// kScheduledTombstoneTtl after they were written. The topic is
// kept by id and name: a topic deleted and recreated under the same name before the due time does
// not receive the old topic's event (its id differs). due_ms is the caller's clock (ms since the
// Unix epoch) and never negative (a due time in the past is stored as given and delivered at once).
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/storage/log_store.h"
#include "storage/keys.h"

namespace rocksdb {
class CompactionFilterFactory;
}  // namespace rocksdb

namespace choreo::storage {

inline constexpr uint8_t kScheduledFormatVersion = 1;

std::string EncodeDueKey(int64_t due_ms, std::string_view id);
struct DueKey {
  int64_t due_ms = 0;
  std::string id;
};
// nullopt unless `key` is a well-formed version-1 due key.
std::optional<DueKey> DecodeDueKey(std::string_view key);
// Every due key with due_ms in [from_ms, to_ms) (to_ms may be INT64_MAX: every one from from_ms).
KeyRange DueKeyRange(int64_t from_ms, int64_t to_ms);

std::string EncodeIdKey(std::string_view id);
// Every id key.
KeyRange IdKeyRange();

struct DueValue {
  TopicId topic_id{};
  PartitionId partition = 0;
  uint32_t record_count = 0;
  int64_t max_timestamp_ms = 0;
  std::string topic;
  std::string batch;
};
std::string EncodeDueValue(const DueValue& value);
// Errors are DataLoss.
absl::StatusOr<DueValue> DecodeDueValue(std::string_view value);

// How long an ended event's id entry is kept: 7 days.
inline constexpr int64_t kScheduledTombstoneTtlMs = 7ll * 24 * 60 * 60 * 1000;

struct IdValue {
  enum class State : uint8_t { kPending = 0, kDelivered = 1, kCancelled = 2 };
  int64_t due_ms = 0;
  State state = State::kPending;
  int64_t ended_ms = 0;  // ms since the Unix epoch; ended events only
};
std::string EncodeIdValue(const IdValue& value);
// Errors are DataLoss.
absl::StatusOr<IdValue> DecodeIdValue(std::string_view value);

// The `scheduled` column family's compaction filter: drops id entries of events that ended more
// than kScheduledTombstoneTtlMs ago (by the system clock).
std::shared_ptr<rocksdb::CompactionFilterFactory> NewScheduledTombstoneFilterFactory();

}  // namespace choreo::storage
