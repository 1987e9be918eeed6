// Keys and values of the `producers` column family: the sequence state of one idempotent producer
// in one partition, written in the same WriteBatch as the batch it describes. All integers
// big-endian; pinned by tests/storage/format_test.cc.
//
//   key (17 bytes)   version u8 (1) | topic_id u32 | partition u32 | producer_id u64
//   value            version u8 (1) | epoch i32 | last_sequence i32 | n u8 (<= 5) |
//                    n x (base_sequence i32 | record_count u32 | base_offset u64) |
//                    last_append_ms i64 (appended within version 1; absent in older values)
//
// The topic comes first so that deleting a topic deletes its producer state with one DeleteRange,
// like its records. Window entries are oldest first. A decoder accepts trailing bytes (fields may
// be appended within version 1).
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/storage/log_store.h"
#include "storage/keys.h"
#include "storage/producer_state.h"

namespace choreo::storage {

inline constexpr uint8_t kProducerKeyVersion = 1;
inline constexpr uint8_t kProducerValueVersion = 1;
inline constexpr size_t kProducerKeySize = 17;

struct ProducerStateKey {
  TopicId topic_id{};
  PartitionId partition = 0;
  int64_t producer_id = 0;
};

std::string EncodeProducerStateKey(const ProducerStateKey& key);
// nullopt unless `key` is kProducerKeySize bytes of version kProducerKeyVersion with a
// non-negative producer id.
std::optional<ProducerStateKey> DecodeProducerStateKey(std::string_view key);
// Every producer-state key of one topic.
KeyRange ProducerTopicKeyRange(TopicId topic_id);

std::string EncodeProducerState(const ProducerPartitionState& state);
// Errors are DataLoss.
absl::StatusOr<ProducerPartitionState> DecodeProducerState(std::string_view value);

}  // namespace choreo::storage
