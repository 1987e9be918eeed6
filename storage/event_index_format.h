// Keys and values of the `events` column family (the event index) and of saga definitions in
// `meta`. Pinned by tests/storage/event_index_format_test.cc: never change a byte of an existing
// format; add a new kind or a new version.
//
// Index entry, one per (record, kind) for the kinds whose value is not empty:
//   key    kind u8 ('s' saga id, 'e' event id, 't' type, 'k' record key) |
//          value length u16 | value | time u64 (time_ms + 2^63, so that negative times sort first)
//          | topic_id u32 | partition u32 | offset u64
//   value  version u8 (1) | 7 x (length u16 | bytes): type, source, event id, saga id,
//          causation id, record key, dlq kind
// so one (kind, value) is one contiguous range sorted by time, and a `since` bound is one Seek.
//
// Open saga, one per (definition, saga) opened and not yet closed:
//   key    'o' | definition length u8 | definition | saga id
//   value  version u8 (1) | started_ms i64
//
// Saga definition, in `meta` under 'S' | name:
//   value  version u8 (1) | deadline_ms i64 | start count u16 | (length u16 | type)* |
//          terminal count u16 | (length u16 | type)*
//
// All integers big-endian. Decoders accept trailing bytes (fields may be appended in version 1).
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/storage/event_index.h"
#include "choreo/storage/log_store.h"

namespace choreo::storage {

inline constexpr char kOpenSagaKind = 'o';

// Where an index entry points.
struct EntryPosition {
  int64_t time_ms = 0;
  TopicId topic_id{};
  PartitionId partition = 0;
  Offset offset = 0;
};

// The prefix shared by every entry of (kind, value): the range to scan.
std::string EntryPrefix(EventIndexKind kind, std::string_view value);
// The first key of (kind, value) at or after `time_ms`.
std::string EntrySeekKey(EventIndexKind kind, std::string_view value, int64_t time_ms);
// The first key after every key starting with `prefix` (prefix with its last byte incremented,
// carrying; empty if `prefix` is all 0xFF).
std::string PrefixEnd(std::string_view prefix);

std::string EncodeEntryKey(EventIndexKind kind, std::string_view value, const EntryPosition& at);
// The position of an entry key whose kind and value are `prefix` (from EntryPrefix); nullopt if
// `key` is not such a key.
std::optional<EntryPosition> DecodeEntryPosition(std::string_view prefix, std::string_view key);
// The position of any entry key (for the compaction filter); nullopt if `key` is not one.
std::optional<EntryPosition> DecodeAnyEntryPosition(std::string_view key);

// The position part of an entry key (time and where), the same for every kind: page tokens are
// positions, so that a search over two ranges resumes in both.
inline constexpr size_t kEntryPositionBytes = 24;
std::string EncodeEntryPosition(const EntryPosition& at);
std::optional<EntryPosition> DecodeEntryPositionBytes(std::string_view bytes);

std::string EncodeEntryValue(const IndexedEventFields& fields);
std::string EncodeEntryReference(std::string_view saga_id);
// Fills every field but offset_delta and time_ms, or, for a reference, only saga_id and sets
// `*reference`. DataLoss if malformed.
absl::Status DecodeEntryValue(std::string_view value, IndexedEventFields* fields, bool* reference);

// Definition names follow topic-name rules, so they fit in u8 and hold no 0 byte.
std::string OpenSagaPrefix(std::string_view definition);
std::string OpenSagaKey(std::string_view definition, std::string_view saga_id);
struct OpenSagaKeyParts {
  std::string_view definition;
  std::string_view saga_id;
};
std::optional<OpenSagaKeyParts> DecodeOpenSagaKey(std::string_view key);
std::string EncodeOpenSagaValue(int64_t started_ms);
absl::StatusOr<int64_t> DecodeOpenSagaValue(std::string_view value);

std::string SagaDefinitionMetaKey(std::string_view name);
std::string EncodeSagaDefinition(const SagaDefinition& definition);
// `name` is taken from the key. DataLoss if malformed.
absl::StatusOr<SagaDefinition> DecodeSagaDefinition(std::string_view name, std::string_view value);

}  // namespace choreo::storage
