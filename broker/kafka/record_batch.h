// Kafka record batches, magic 2 (message format v2): parsing and validation of what producers send,
// building what consumers fetch.
//
// Layout (big-endian; "varint" is the zigzag varint of wire.h):
//   offset  0  base_offset int64           45..: see kBatchHeaderBytes for the total (61)
//           8  batch_length int32          bytes after this field
//          12  partition_leader_epoch int32
//          16  magic int8 (2)
//          17  crc uint32                  CRC-32C of everything from attributes to the end
//          21  attributes int16            bits 0-2 codec, 3 timestamp type, 4 transactional,
//                                          5 control, 6 delete horizon
//          23  last_offset_delta int32
//          27  base_timestamp int64
//          35  max_timestamp int64
//          43  producer_id int64
//          51  producer_epoch int16
//          53  base_sequence int32
//          57  record_count int32
//          61  records, compressed together per the codec (the count stays outside)
// A record: length varint (of the rest), attributes int8, timestamp_delta varlong, offset_delta
// varint, key length varint (-1 null) + key, value length varint (-1 null) + value, header count
// varint, then per header: key length varint + key (not null), value length varint (-1 null) +
// value.
//
// Thread-safe: free functions without shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/kafka/compression.h"

namespace choreo::kafka {

inline constexpr size_t kBatchHeaderBytes = 61;
// Bytes before batch_length's count starts (base_offset and batch_length themselves).
inline constexpr size_t kBatchLogOverhead = 12;
inline constexpr int8_t kMagicV2 = 2;
// Where the CRC is, and where the bytes it covers start.
inline constexpr size_t kBatchCrcOffset = 17;
inline constexpr size_t kBatchAttributesOffset = 21;

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  // Bits 0-2; values over 4 are invalid (ParseBatchHeader refuses them).
  Compression compression() const { return static_cast<Compression>(attributes & 0x7); }
  bool log_append_time() const { return (attributes & 0x8) != 0; }
  bool transactional() const { return (attributes & 0x10) != 0; }
  bool control() const { return (attributes & 0x20) != 0; }
  // Size of the whole batch on the wire.
  size_t total_bytes() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
};

struct RecordHeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

// One record; views point into the batch or into the caller's decompression buffer.
struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<RecordHeaderView> headers;
};

struct BatchLimits {
  // Records of one batch after decompression. Default: 64 MiB.
  uint64_t max_uncompressed_bytes = 64u << 20;
};

// Parses and checks the header of the one batch that `batch` holds exactly: size (batch_length
// matches the input, room for the header), magic 2, a known codec, a non-negative record count,
// and the CRC-32C. Errors: InvalidArgument (malformed), DataLoss (CRC mismatch).
absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view batch);

// Decodes every record of `batch` (header checked as above) into `*records`; decompressed records
// live in `*scratch`, which must outlive the views. Checks each record's framing, that exactly
// record_count records fill the records section, and header keys are not null. Errors as
// ParseBatchHeader, plus ResourceExhausted (over `limits`) and Unimplemented (unknown codec).
absl::Status DecodeRecords(std::string_view batch, const BatchLimits& limits, std::string* scratch,
                           BatchHeader* header, std::vector<RecordView>* records);

// Everything a broker checks before storing a produced batch: DecodeRecords' checks, plus at least
// one record, offset deltas 0..n-1 in order and last_offset_delta = n-1, not a control batch.
// Sets `*header` on success. Per-record work is decoding; no record is copied.
absl::Status ValidateProducedBatch(std::string_view batch, const BatchLimits& limits,
                                   BatchHeader* header);

// Splits a records blob (a produce's or fetch's `records` field) into its batches. Each batch's
// size is taken from its header (not validated further). With `allow_partial_tail` (fetch
// responses may end with a cut batch) a truncated last batch is dropped; otherwise it is an
// error.
absl::Status SplitBatches(std::string_view blob, bool allow_partial_tail,
                          std::vector<std::string_view>* batches);

// A record to build a batch from.
struct RecordInput {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp_ms = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

struct BatchBuildOptions {
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  Compression compression = Compression::kNone;
  bool log_append_time = false;
  bool transactional = false;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

// Builds a magic-2 batch of `records` (at least one) with offset deltas 0..n-1, the first record's
// timestamp as base timestamp, the largest as max timestamp, and the CRC-32C. Errors:
// InvalidArgument (no records), Internal (compression failed).
absl::StatusOr<std::string> BuildBatch(const BatchBuildOptions& options,
                                       std::span<const RecordInput> records);

// Rewrites base_offset in place (the broker assigns offsets; base_offset is outside the CRC).
void SetBaseOffset(int64_t base_offset, std::string* batch);

}  // namespace choreo::kafka
