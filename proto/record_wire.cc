#include "choreo/proto/record_wire.h"

#include "choreo/common/crc32c.h"

namespace choreo::proto {
namespace wire {

bool NextField(const char** p, const char* end, uint32_t* field, uint32_t* wire_type,
               std::string_view* bytes, uint64_t* varint) {
  uint64_t tag;
  if (!GetVarint(p, end, &tag) || tag > 0xFFFFFFFFu) return false;
  *field = static_cast<uint32_t>(tag >> 3);
  *wire_type = static_cast<uint32_t>(tag & 7);
  if (*field == 0) return false;
  switch (*wire_type) {
    case 0:
      return GetVarint(p, end, varint);
    case 1:
      if (end - *p < 8) return false;
      *p += 8;
      return true;
    case 2: {
      uint64_t length;
      if (!GetVarint(p, end, &length) || length > static_cast<uint64_t>(end - *p)) return false;
      *bytes = std::string_view(*p, length);
      *p += length;
      return true;
    }
    case 5:
      if (end - *p < 4) return false;
      *p += 4;
      return true;
    default:
      return false;  // groups (3, 4) are not used by choreo's protocol
  }
}

namespace {

void PutVarintField(uint8_t tag, uint64_t v, std::string* out) {
  if (v == 0) return;
  out->push_back(static_cast<char>(tag));
  PutVarint(v, out);
}

}  // namespace
}  // namespace wire

size_t EncodedRecordSize(std::string_view key, std::string_view value, int64_t timestamp_ms) {
  const size_t record_size =
      wire::BytesFieldSize(key) + wire::BytesFieldSize(value) +
      (timestamp_ms != 0 ? 1 + wire::VarintSize(static_cast<uint64_t>(timestamp_ms)) : 0);
  return 1 + wire::VarintSize(record_size) + record_size;
}

bool ParseBatchView(std::string_view batch_bytes, BatchView* batch) {
  *batch = BatchView();
  const char* p = batch_bytes.data();
  const char* end = p + batch_bytes.size();
  while (p < end) {
    uint32_t field, wire_type;
    std::string_view bytes;
    uint64_t v = 0;
    if (!wire::NextField(&p, end, &field, &wire_type, &bytes, &v)) return false;
    if (wire_type == 0) {
      switch (field) {  // int32/enum fields are sign-extended varints: keep the low 32 bits
        case 1:
          batch->record_count = static_cast<uint32_t>(v);
          break;
        case 2:
          batch->first_timestamp_ms = static_cast<int64_t>(v);
          break;
        case 3:
          batch->max_timestamp_ms = static_cast<int64_t>(v);
          break;
        case 4:
          batch->producer_id = static_cast<int64_t>(v);
          break;
        case 5:
          batch->producer_epoch = static_cast<int32_t>(v);
          break;
        case 6:
          batch->base_sequence = static_cast<int32_t>(v);
          break;
        case 7:
          batch->compression = static_cast<Compression>(static_cast<int32_t>(v));
          break;
        case 10:
          batch->uncompressed_bytes = static_cast<uint32_t>(v);
          break;
        case 11:
          batch->log_append_time_ms = static_cast<int64_t>(v);
          break;
        default:
          break;
      }
    } else if (wire_type == 5 && field == 8) {  // NextField skipped the 4 bytes: read them back
      uint32_t crc = 0;
      for (int i = 0; i < 4; ++i)
        crc |= static_cast<uint32_t>(static_cast<uint8_t>(p[i - 4])) << (8 * i);
      batch->crc32c = crc;
    } else if (wire_type == 2 && field == 9) {
      batch->records = bytes;
    }
  }
  return true;
}

ErrorCode OpenBatch(std::string_view batch_bytes, BatchView* batch, std::string* scratch,
                    std::string_view* payload, std::string* error_message) {
  if (!ParseBatchView(batch_bytes, batch)) {
    *error_message = "record batch does not parse";
    return CORRUPT_MESSAGE;
  }
  if (Crc32c(batch->records) != batch->crc32c) {
    *error_message = "record batch CRC32C mismatch";
    return CORRUPT_MESSAGE;
  }
  if (batch->compression == COMPRESSION_NONE) {
    *payload = batch->records;
    return NONE;
  }
  if (DecompressPayload(batch->compression, batch->records, batch->uncompressed_bytes, scratch,
                        error_message) != NONE) {
    return CORRUPT_MESSAGE;
  }
  *payload = *scratch;
  return NONE;
}

bool EncodeBatchFromPayload(std::string&& payload, uint32_t record_count,
                            int64_t first_timestamp_ms, int64_t max_timestamp_ms,
                            Compression compression, const BatchProducerFields& producer,
                            std::string* out) {
  const auto uncompressed_bytes = static_cast<uint32_t>(payload.size());
  std::string compressed;
  const std::string* body = &payload;
  if (compression != COMPRESSION_NONE) {
    if (!CompressPayload(compression, payload, &compressed)) return false;
    body = &compressed;
  }
  out->clear();
  out->reserve(body->size() + 64);
  // Field order and encodings as protobuf writes them (field number order, proto3 defaults
  // omitted, int32/int64 as sign-extended varints).
  wire::PutVarintField(0x08, record_count, out);
  wire::PutVarintField(0x10, static_cast<uint64_t>(first_timestamp_ms), out);
  wire::PutVarintField(0x18, static_cast<uint64_t>(max_timestamp_ms), out);
  wire::PutVarintField(0x20, static_cast<uint64_t>(producer.producer_id), out);
  wire::PutVarintField(0x28, static_cast<uint64_t>(static_cast<int64_t>(producer.producer_epoch)),
                       out);
  wire::PutVarintField(0x30, static_cast<uint64_t>(static_cast<int64_t>(producer.base_sequence)),
                       out);
  wire::PutVarintField(0x38, static_cast<uint64_t>(compression), out);
  const uint32_t crc = Crc32c(*body);
  if (crc != 0) {
    out->push_back(0x45);  // crc32c = 8, fixed32 little-endian
    for (int i = 0; i < 4; ++i)
      out->push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  }
  wire::PutBytesField(0x4A, *body, out);
  wire::PutVarintField(0x50, uncompressed_bytes, out);
  return true;
}

void StampLogAppendTime(int64_t now_ms, std::string* batch_bytes) {
  const auto v = static_cast<uint64_t>(now_ms);
  wire::PutVarintField(0x10, v, batch_bytes);  // first_timestamp_ms = 2
  wire::PutVarintField(0x18, v, batch_bytes);  // max_timestamp_ms = 3
  wire::PutVarintField(0x58, v, batch_bytes);  // log_append_time_ms = 11
}

}  // namespace choreo::proto
