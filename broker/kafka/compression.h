// The compression codecs of Kafka record batches (attributes bits 0-2), in the framings Kafka's
// clients write and read:
//   gzip    RFC 1952 gzip streams (zlib); several concatenated members are read as one.
//   snappy  read: Java's xerial framing (magic "\x82SNAPPY\0", two int32 versions, then blocks of
//           int32 size + raw snappy), or one raw snappy block (librdkafka writes these). Written in
//           xerial framing, which the Java client requires and librdkafka reads.
//   lz4     the LZ4 frame format (magic 0x184D2204) with a correct header checksum; written with
//           independent 64 KiB blocks and no content size, as Kafka's Java client writes it
//           (its reader decompresses each block alone, so linked blocks would break it).
//   zstd    zstd frames; content size optional (Java writes none), concatenated frames allowed.
//
// Decompress never lets a batch allocate past `max_bytes`: output grows as it is produced (never
// from a size the input claims), and passing max_bytes is an error. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace choreo::kafka {

enum class Compression : uint8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};

// "none", "gzip", ...; "unknown" for other values.
const char* CompressionName(Compression codec);

// Replaces `*out` with `in` compressed. Errors: InvalidArgument for kNone or an unknown codec,
// Internal if the library fails.
absl::Status Compress(Compression codec, std::string_view in, std::string* out);

// Replaces `*out` with `in` decompressed. Errors: InvalidArgument (not valid data of `codec`, or an
// unknown codec), ResourceExhausted (more than `max_bytes` of output).
absl::Status Decompress(Compression codec, std::string_view in, uint64_t max_bytes,
                        std::string* out);

}  // namespace choreo::kafka
