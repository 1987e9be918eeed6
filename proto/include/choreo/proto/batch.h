// The record-batch codec: how a producer turns records into a RecordBatch, how the broker checks a
// batch on append without decoding its records, and how a consumer turns fetched bytes back into
// records. Shared by broker and client; no I/O, no allocation beyond the output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/proto/choreo.pb.h"

namespace choreo::proto {

// What the broker needs to know about a batch, read from its header fields.
struct BatchSummary {
  uint32_t record_count = 0;
  int64_t first_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = -1;
  int32_t producer_epoch = 0;
  int32_t base_sequence = 0;
};

struct BatchProducerFields {
  int64_t producer_id = -1;
  int32_t producer_epoch = 0;
  int32_t base_sequence = 0;
};

// Largest uncompressed payload a batch may declare; bounds decompression buffers.
inline constexpr uint32_t kMaxUncompressedBatchBytes = 256u << 20;

// Encodes `records` (at least one) into a serialized RecordBatch: serializes the RecordList,
// compresses it per `compression` (LZ4 block format or zstd; CRC32C is over the compressed bytes),
// computes the CRC32C and the header fields. Returns false if the codec is unknown or fails.
bool EncodeBatch(const RecordList& records, Compression compression,
                 const BatchProducerFields& producer, std::string* out);

// Validates a serialized RecordBatch as received from a producer: it parses, has at least one
// record, the CRC32C of `records` matches, the payload decompresses to `uncompressed_bytes`, and
// the number of records in it equals `record_count`. Walks the payload's tags to count records;
// does not materialise them.
// On failure returns the error code to send and sets `*error_message`.
ErrorCode ValidateBatch(std::string_view batch_bytes, BatchSummary* summary,
                        std::string* error_message);

// Compresses `in` with `codec` into `*out` (for COMPRESSION_NONE, copies). False on failure.
bool CompressPayload(Compression codec, const std::string& in, std::string* out);

// The most `compressed_bytes` of `codec` can decompress to (LZ4: 255 times; zstd: 128 KiB per
// 3-byte block header); 0 for a codec without decompression.
uint64_t MaxDecompressedBytes(Compression codec, size_t compressed_bytes);

// Decompresses `in` (a batch's `records` under `codec`) into `*out`, which must come to exactly
// `declared` bytes (the batch's uncompressed_bytes). Returns NONE; MESSAGE_TOO_LARGE if `declared`
// is over kMaxUncompressedBatchBytes, INVALID_REQUEST for an unknown codec, CORRUPT_MESSAGE if the
// bytes do not decompress to `declared` (checked without allocating `declared` bytes when `in` is
// too short to hold that much, see MaxDecompressedBytes); sets `*error_message` on failure.
ErrorCode DecompressPayload(Compression codec, std::string_view in, uint32_t declared,
                            std::string* out, std::string* error_message);

// Decodes a serialized RecordBatch into its records (decompressing if needed), checking the CRC.
// Returns NONE on success, CORRUPT_MESSAGE with a message otherwise.
ErrorCode DecodeBatch(std::string_view batch_bytes, RecordBatch* header, RecordList* records,
                      std::string* error_message);

}  // namespace choreo::proto
