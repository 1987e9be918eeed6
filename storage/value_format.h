// Values of the `records` column family: a fixed header followed by the batch bytes exactly as the
// producer sent them. All integers big-endian.
//
//   offset size  field
//        0    1  format version (kBatchValueVersion = 1)
//        1    4  record_count        u32, > 0
//        5    8  max_timestamp_ms    i64
//       13    8  producer_id         i64, -1 when not idempotent
//       21    4  producer_epoch      i32
//       25    4  base_sequence       i32
//       29    4  batch_length        u32, number of batch bytes after the header
//       33    4  crc32c              CRC32C of header bytes [0, 33) followed by the batch bytes
//       37       batch bytes
//
// The producer fields are stored now so that idempotent-producer state can later be rebuilt from
// the tail of each partition. The checksum is verified on every read.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "choreo/storage/log_store.h"

namespace choreo::storage {

inline constexpr uint8_t kBatchValueVersion = 1;
inline constexpr size_t kBatchHeaderSize = 37;

using BatchHeaderBytes = std::array<char, kBatchHeaderSize>;

struct BatchHeader {
  uint32_t record_count = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = -1;
  int32_t producer_epoch = 0;
  int32_t base_sequence = 0;
  uint32_t batch_length = 0;
  uint32_t crc = 0;
};

// The header to store in front of `batch`. `batch` must be shorter than 4 GiB.
BatchHeaderBytes EncodeBatchHeader(const BatchFields& fields, std::string_view batch);

// A decoded value: the header and a view of the batch bytes inside the value.
struct BatchView {
  BatchHeader header;
  std::string_view batch;
};

// Parses a stored value and verifies its length and checksum. Errors are DataLoss with a message
// describing what is wrong (no topic context: the caller adds it).
absl::StatusOr<BatchView> DecodeBatchValue(std::string_view value);

// Parses only the header and checks the value length, without reading the batch bytes for the
// checksum. Used at recovery, where only the record count of the last batch is needed.
absl::StatusOr<BatchHeader> DecodeBatchHeaderOnly(std::string_view value);

}  // namespace choreo::storage
