#include "broker/kafka/record_batch.h"

#include "absl/strings/str_cat.h"
#include "broker/kafka/wire.h"
#include "choreo/common/big_endian.h"
#include "choreo/common/crc32c.h"

namespace choreo::kafka {
namespace {

constexpr size_t kMinRecordBytes = 7;  // length, attributes, 2 deltas, 2 lengths, header count

absl::Status BadRecord(int32_t index, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("record ", index, ": ", absl::string_view(what.data(), what.size())));
}

// Reads a varint length and that many bytes; -1 gives nullopt.
bool ReadNullableBytes(WireReader* r, std::optional<std::string_view>* out) {
  int32_t n = 0;
  if (!r->ReadVarint(&n) || n < -1) return false;
  if (n == -1) {
    out->reset();
    return true;
  }
  std::string_view bytes;
  if (!r->ReadBytes(static_cast<size_t>(n), &bytes)) return false;
  *out = bytes;
  return true;
}

// Decodes one record from `r` into `*rec` (reusing its header vector).
absl::Status ReadRecord(WireReader* r, int32_t index, RecordView* rec) {
  int32_t length = 0;
  if (!r->ReadVarint(&length) || length < 0) return BadRecord(index, "bad length");
  std::string_view body;
  if (!r->ReadBytes(static_cast<size_t>(length), &body)) return BadRecord(index, "truncated");
  WireReader b(body);
  int32_t header_count = 0;
  if (!b.ReadInt8(&rec->attributes) || !b.ReadVarlong(&rec->timestamp_delta) ||
      !b.ReadVarint(&rec->offset_delta) || !ReadNullableBytes(&b, &rec->key) ||
      !ReadNullableBytes(&b, &rec->value) || !b.ReadVarint(&header_count)) {
    return BadRecord(index, "malformed");
  }
  // Each header takes at least 2 bytes: refuse counts the record cannot hold before reserving.
  if (header_count < 0 || static_cast<size_t>(header_count) > b.remaining() / 2) {
    return BadRecord(index, "bad header count");
  }
  rec->headers.clear();
  rec->headers.reserve(static_cast<size_t>(header_count));
  for (int32_t h = 0; h < header_count; ++h) {
    RecordHeaderView& header = rec->headers.emplace_back();
    std::optional<std::string_view> key;
    if (!ReadNullableBytes(&b, &key) || !key || !ReadNullableBytes(&b, &header.value)) {
      return BadRecord(index, "malformed header");
    }
    header.key = *key;
  }
  if (b.remaining() != 0) return BadRecord(index, "length does not match its fields");
  return absl::OkStatus();
}

// Calls `fn(index, record)` for each record of the batch, after decompression into `*scratch`.
template <typename Fn>
absl::Status ForEachRecord(std::string_view batch, const BatchLimits& limits, std::string* scratch,
                           BatchHeader* header_out, Fn fn) {
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) return header.status();
  std::string_view section = batch.substr(kBatchHeaderBytes);
  if (header->compression() != Compression::kNone) {
    if (absl::Status s =
            Decompress(header->compression(), section, limits.max_uncompressed_bytes, scratch);
        !s.ok()) {
      return s;
    }
    section = *scratch;
  } else if (section.size() > limits.max_uncompressed_bytes) {
    return absl::ResourceExhaustedError("record batch over the uncompressed size limit");
  }
  if (static_cast<uint64_t>(header->record_count) > section.size() / kMinRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat("record count ", header->record_count,
                                                   " does not fit in ", section.size(), " bytes"));
  }
  WireReader r(section);
  RecordView rec;
  for (int32_t i = 0; i < header->record_count; ++i) {
    if (absl::Status s = ReadRecord(&r, i, &rec); !s.ok()) return s;
    if (absl::Status s = fn(i, rec); !s.ok()) return s;
  }
  if (r.remaining() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.remaining(), " bytes after the batch's ", header->record_count, " records"));
  }
  *header_out = *header;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view batch) {
  WireReader r(batch);
  BatchHeader h;
  int32_t crc = 0;
  if (!r.ReadInt64(&h.base_offset) || !r.ReadInt32(&h.batch_length) ||
      !r.ReadInt32(&h.partition_leader_epoch) || !r.ReadInt8(&h.magic) || !r.ReadInt32(&crc) ||
      !r.ReadInt16(&h.attributes) || !r.ReadInt32(&h.last_offset_delta) ||
      !r.ReadInt64(&h.base_timestamp) || !r.ReadInt64(&h.max_timestamp) ||
      !r.ReadInt64(&h.producer_id) || !r.ReadInt16(&h.producer_epoch) ||
      !r.ReadInt32(&h.base_sequence) || !r.ReadInt32(&h.record_count)) {
    return absl::InvalidArgumentError(
        absl::StrCat("record batch of ", batch.size(), " bytes, shorter than its header"));
  }
  h.crc = static_cast<uint32_t>(crc);
  if (h.magic != kMagicV2) {
    return absl::InvalidArgumentError(absl::StrCat("record batch magic ", h.magic, ", not 2"));
  }
  if (h.batch_length < static_cast<int32_t>(kBatchHeaderBytes - kBatchLogOverhead) ||
      h.total_bytes() != batch.size()) {
    return absl::InvalidArgumentError(absl::StrCat("record batch length ", h.batch_length,
                                                   " does not match its ", batch.size(), " bytes"));
  }
  if ((h.attributes & 0x7) > static_cast<int>(Compression::kZstd)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown compression codec ", h.attributes & 0x7));
  }
  if (h.record_count < 0) {
    return absl::InvalidArgumentError(absl::StrCat("negative record count ", h.record_count));
  }
  const uint32_t actual =
      Crc32c(batch.data() + kBatchAttributesOffset, batch.size() - kBatchAttributesOffset);
  if (actual != h.crc) {
    return absl::DataLossError(
        absl::StrCat("record batch CRC mismatch: stored ", h.crc, ", computed ", actual));
  }
  return h;
}

absl::Status DecodeRecords(std::string_view batch, const BatchLimits& limits, std::string* scratch,
                           BatchHeader* header, std::vector<RecordView>* records) {
  records->clear();
  return ForEachRecord(batch, limits, scratch, header, [&](int32_t, const RecordView& rec) {
    records->push_back(rec);
    return absl::OkStatus();
  });
}

absl::Status ValidateProducedBatch(std::string_view batch, const BatchLimits& limits,
                                   BatchHeader* header) {
  std::string scratch;
  BatchHeader h;
  absl::Status s = ForEachRecord(batch, limits, &scratch, &h, [](int32_t i, const RecordView& rec) {
    if (rec.offset_delta != i) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " has offset delta ", rec.offset_delta));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (h.record_count == 0) return absl::InvalidArgumentError("record batch without records");
  if (h.last_offset_delta != h.record_count - 1) {
    return absl::InvalidArgumentError(absl::StrCat("last offset delta ", h.last_offset_delta,
                                                   " for ", h.record_count, " records"));
  }
  if (h.control()) return absl::InvalidArgumentError("control batch from a producer");
  *header = h;
  return absl::OkStatus();
}

absl::Status SplitBatches(std::string_view blob, bool allow_partial_tail,
                          std::vector<std::string_view>* batches) {
  batches->clear();
  size_t pos = 0;
  while (pos < blob.size()) {
    const std::string_view rest = blob.substr(pos);
    if (rest.size() < kBatchLogOverhead) {
      if (allow_partial_tail) break;
      return absl::InvalidArgumentError("truncated record batch");
    }
    const int32_t length = static_cast<int32_t>(GetBigEndian32(rest.data() + 8));
    if (length < static_cast<int32_t>(kBatchHeaderBytes - kBatchLogOverhead)) {
      return absl::InvalidArgumentError(absl::StrCat("record batch length ", length));
    }
    const size_t total = kBatchLogOverhead + static_cast<size_t>(length);
    if (total > rest.size()) {
      if (allow_partial_tail) break;
      return absl::InvalidArgumentError("truncated record batch");
    }
    batches->push_back(rest.substr(0, total));
    pos += total;
  }
  return absl::OkStatus();
}

void SetBaseOffset(int64_t base_offset, std::string* batch) {
  if (batch->size() >= 8) PutBigEndian64(batch->data(), static_cast<uint64_t>(base_offset));
}

}  // namespace choreo::kafka
