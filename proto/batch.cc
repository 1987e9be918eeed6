#include "choreo/proto/batch.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>

#include "choreo/common/crc32c.h"
#include "choreo/proto/record_wire.h"

namespace choreo::proto {
namespace {

// Counts the records of a serialized RecordList with the decoder every consumer uses
// (ForEachRecord, ForEachHeader: client/fetch_decoder.cc), so that a batch the broker accepts is
// one its consumers can read; -1 if they could not. Counting top-level fields alone let a batch
// whose records were malformed inside be stored, and then every consumer of the partition failed
// on it with CORRUPT_MESSAGE, at the same offset, forever (tests/fuzz/record_batch_fuzz.cc checks
// that accepted implies readable).
int64_t CountReadableRecords(std::string_view payload) {
  int64_t count = 0;
  bool headers_ok = true;
  const bool ok = ForEachRecord(payload, [&](const RecordView& record) {
    ++count;
    if (!record.headers_encoded.empty()) {
      headers_ok &= ForEachHeader(record.headers_encoded, [](const HeaderView&) {});
    }
  });
  return ok && headers_ok ? count : -1;
}

// zstd level 1 and LZ4's default acceleration: the producer's CPU is on the latency path, and
// for the repetitive JSON of domain events the ratio gained by higher levels is small.
constexpr int kZstdLevel = 1;

}  // namespace

bool CompressPayload(Compression codec, const std::string& in, std::string* out) {
  switch (codec) {
    case COMPRESSION_NONE:
      *out = in;
      return true;
    case COMPRESSION_LZ4: {
      out->resize(LZ4_compressBound(static_cast<int>(in.size())));
      const int n = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()),
                                         static_cast<int>(out->size()));
      if (n <= 0) return false;
      out->resize(n);
      return true;
    }
    case COMPRESSION_ZSTD: {
      out->resize(ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(n)) return false;
      out->resize(n);
      return true;
    }
    default:
      return false;
  }
}

namespace {

// Decompresses `batch.records()` into `*out`; checks the declared size. Returns NONE or an error.
ErrorCode Decompress(const RecordBatch& batch, std::string* out, std::string* error_message) {
  return DecompressPayload(batch.compression(), batch.records(), batch.uncompressed_bytes(), out,
                           error_message);
}

}  // namespace

uint64_t MaxDecompressedBytes(Compression codec, size_t compressed_bytes) {
  const uint64_t n = compressed_bytes;
  switch (codec) {
    case COMPRESSION_LZ4:
      // An LZ4 sequence's match length grows by at most 255 per byte spent on it.
      return 255 * n;
    case COMPRESSION_ZSTD:
      // Every zstd block has a 3-byte header and yields at most 128 KiB (an RLE block: 4 bytes).
      return (n / 3 + 1) * (128u << 10);
    default:
      return 0;
  }
}

ErrorCode DecompressPayload(Compression codec, std::string_view in, uint32_t declared,
                            std::string* out, std::string* error_message) {
  if (declared > kMaxUncompressedBatchBytes) {
    *error_message = "record batch declares " + std::to_string(declared) +
                     " uncompressed bytes, over the limit of " +
                     std::to_string(kMaxUncompressedBatchBytes);
    return MESSAGE_TOO_LARGE;
  }
  if (codec != COMPRESSION_LZ4 && codec != COMPRESSION_ZSTD) {
    *error_message = "unsupported compression codec " + std::to_string(codec);
    return INVALID_REQUEST;
  }
  // The output buffer is sized before decompressing: a size the payload cannot possibly expand to
  // must not cost that allocation (a 20-byte batch declaring 256 MiB).
  if (declared > MaxDecompressedBytes(codec, in.size())) {
    *error_message = "record batch declares " + std::to_string(declared) +
                     " uncompressed bytes, more than " + std::to_string(in.size()) +
                     " compressed bytes can hold";
    return CORRUPT_MESSAGE;
  }
  out->resize(declared);
  bool ok = false;
  switch (codec) {
    case COMPRESSION_LZ4: {
      const int n = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()),
                                        static_cast<int>(declared));
      ok = n >= 0 && static_cast<uint32_t>(n) == declared;
      break;
    }
    case COMPRESSION_ZSTD: {
      const size_t n = ZSTD_decompress(out->data(), declared, in.data(), in.size());
      ok = !ZSTD_isError(n) && n == declared;
      break;
    }
    default:
      break;  // checked above
  }
  if (!ok) {
    *error_message = "record batch payload does not decompress to its declared size";
    return CORRUPT_MESSAGE;
  }
  return NONE;
}

bool EncodeBatch(const RecordList& records, Compression compression,
                 const BatchProducerFields& producer, std::string* out) {
  RecordBatch batch;
  batch.set_record_count(static_cast<uint32_t>(records.records_size()));
  if (records.records_size() > 0) {
    int64_t first = records.records(0).timestamp_ms();
    int64_t max = first;
    for (const Record& r : records.records())
      max = std::max(max, r.timestamp_ms());
    batch.set_first_timestamp_ms(first);
    batch.set_max_timestamp_ms(max);
  }
  batch.set_producer_id(producer.producer_id);
  batch.set_producer_epoch(producer.producer_epoch);
  batch.set_base_sequence(producer.base_sequence);
  batch.set_compression(compression);
  std::string* payload = batch.mutable_records();
  if (compression == COMPRESSION_NONE) {
    records.SerializeToString(payload);
  } else {
    std::string serialized;
    records.SerializeToString(&serialized);
    if (!CompressPayload(compression, serialized, payload)) return false;
  }
  batch.set_uncompressed_bytes(static_cast<uint32_t>(records.ByteSizeLong()));
  batch.set_crc32c(Crc32c(*payload));
  out->clear();
  return batch.SerializeToString(out);
}

ErrorCode ValidateBatch(std::string_view batch_bytes, BatchSummary* summary,
                        std::string* error_message) {
  // Read in place (ParseBatchView): a protobuf RecordBatch would copy the whole payload, on every
  // produce.
  BatchView batch;
  if (!ParseBatchView(batch_bytes, &batch)) {
    *error_message = "record batch does not parse";
    return CORRUPT_MESSAGE;
  }
  if (batch.record_count == 0) {
    *error_message = "record batch has no records";
    return INVALID_REQUEST;
  }
  if (Crc32c(batch.records) != batch.crc32c) {
    *error_message = "record batch CRC32C mismatch";
    return CORRUPT_MESSAGE;
  }
  std::string_view payload = batch.records;
  // Reused across calls on a thread: validation runs on every produce, so no fresh allocation.
  thread_local std::string decompressed;
  struct ReleaseIfLarge {  // bound what an idle thread keeps after a huge batch
    ~ReleaseIfLarge() {
      if (decompressed.capacity() > (16u << 20)) std::string().swap(decompressed);
    }
  } release_if_large;
  if (batch.compression != COMPRESSION_NONE) {
    if (ErrorCode code = DecompressPayload(batch.compression, batch.records,
                                           batch.uncompressed_bytes, &decompressed, error_message);
        code != NONE) {
      return code;
    }
    payload = decompressed;
  }
  const int64_t counted = CountReadableRecords(payload);
  if (counted < 0) {
    *error_message = "record batch payload is not a valid record list";
    return CORRUPT_MESSAGE;
  }
  if (counted != batch.record_count) {
    *error_message = "record batch declares " + std::to_string(batch.record_count) +
                     " records but holds " + std::to_string(counted);
    return CORRUPT_MESSAGE;
  }
  summary->record_count = batch.record_count;
  summary->first_timestamp_ms = batch.first_timestamp_ms;
  summary->max_timestamp_ms = batch.max_timestamp_ms;
  summary->producer_id = batch.producer_id;
  summary->producer_epoch = batch.producer_epoch;
  summary->base_sequence = batch.base_sequence;
  return NONE;
}

ErrorCode DecodeBatch(std::string_view batch_bytes, RecordBatch* header, RecordList* records,
                      std::string* error_message) {
  if (!header->ParseFromArray(batch_bytes.data(), static_cast<int>(batch_bytes.size()))) {
    *error_message = "record batch does not parse";
    return CORRUPT_MESSAGE;
  }
  if (Crc32c(header->records()) != header->crc32c()) {
    *error_message = "record batch CRC32C mismatch";
    return CORRUPT_MESSAGE;
  }
  bool parsed = false;
  if (header->compression() == COMPRESSION_NONE) {
    parsed = records->ParseFromString(header->records());
  } else {
    std::string decompressed;
    if (ErrorCode code = Decompress(*header, &decompressed, error_message); code != NONE) {
      return CORRUPT_MESSAGE;
    }
    parsed = records->ParseFromString(decompressed);
  }
  if (!parsed) {
    *error_message = "record batch payload does not parse";
    return CORRUPT_MESSAGE;
  }
  if (static_cast<uint32_t>(records->records_size()) != header->record_count()) {
    *error_message = "record batch record count mismatch";
    return CORRUPT_MESSAGE;
  }
  return NONE;
}

}  // namespace choreo::proto
