// Allocation-free encoding and decoding of records in a batch payload (a serialized RecordList),
// for the client's hot paths. The bytes are exactly what protobuf produces for the same RecordList
// (checked by tests), so either side may use protobuf or these helpers.
//
// Why: building a proto::Record per record costs several heap allocations and copies on both the
// produce and the consume path; profiles of choreo-bench showed malloc/free as the largest cost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "choreo/proto/batch.h"

namespace choreo::proto {

struct HeaderView {
  std::string_view key;
  std::string_view value;
};

// Appends one record, encoded as RecordList field 1, to `payload`. `headers` is any range of
// objects with `key` and `value` members convertible to std::string_view.
template <typename Headers>
void AppendRecord(std::string_view key, std::string_view value, const Headers& headers,
                  int64_t timestamp_ms, std::string* payload);

// Size AppendRecord adds for a record without headers (for buffer accounting).
size_t EncodedRecordSize(std::string_view key, std::string_view value, int64_t timestamp_ms);
// Size AppendRecord adds for a record with `headers` (as in AppendRecord).
template <typename Headers>
size_t EncodedRecordSize(std::string_view key, std::string_view value, const Headers& headers,
                         int64_t timestamp_ms);

// Wraps an already-encoded payload (a serialized RecordList of `record_count` records) into a
// serialized RecordBatch, compressing it per `compression`. Consumes `payload` (moved into the
// batch when uncompressed). Returns false if compression fails.
bool EncodeBatchFromPayload(std::string&& payload, uint32_t record_count,
                            int64_t first_timestamp_ms, int64_t max_timestamp_ms,
                            Compression compression, const BatchProducerFields& producer,
                            std::string* out);

// The fields of a serialized RecordBatch, read in place: `records` is a view into the batch bytes.
// As with protobuf, the last occurrence of a field wins (the producer appends its sequence).
struct BatchView {
  uint32_t record_count = 0;
  int64_t first_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = 0;
  int32_t producer_epoch = 0;
  int32_t base_sequence = 0;
  Compression compression = COMPRESSION_NONE;
  uint32_t crc32c = 0;
  std::string_view records;  // the payload, compressed per `compression`
  uint32_t uncompressed_bytes = 0;
  // > 0: the broker stamped the batch (a log-append-time topic); every record's timestamp is this.
  int64_t log_append_time_ms = 0;
};

// Reads the fields of a serialized RecordBatch without copying its payload. False if it does not
// parse.
bool ParseBatchView(std::string_view batch_bytes, BatchView* batch);

// Makes a serialized RecordBatch a log-append-time batch stamped at `now_ms` (> 0): appends
// first_timestamp_ms, max_timestamp_ms and log_append_time_ms fields set to it, which override
// the producer's (the last occurrence of a field wins). The payload and its CRC are untouched.
void StampLogAppendTime(int64_t now_ms, std::string* batch_bytes);

// What DecodeBatch does, without materialising records: parses `batch_bytes`, checks the CRC32C
// and decompresses the payload into `*scratch` if needed. On NONE, `*payload` is the serialized
// RecordList (a view into `batch_bytes` or `*scratch`); iterate it with ForEachRecord (and check
// the count against `batch->record_count`). Otherwise returns CORRUPT_MESSAGE with a message.
ErrorCode OpenBatch(std::string_view batch_bytes, BatchView* batch, std::string* scratch,
                    std::string_view* payload, std::string* error_message);

// A record decoded in place: views into the payload, valid while the payload lives.
struct RecordView {
  std::string_view key;
  std::string_view value;
  int64_t timestamp_ms = 0;
  // The encoded headers (repeated Header messages); iterate with ForEachHeader.
  std::string_view headers_encoded;
};

// Calls `fn(const RecordView&)` for each record of a serialized RecordList, in order. Returns false
// on malformed input (records already passed to `fn` stay passed).
template <typename Fn>
bool ForEachRecord(std::string_view payload, Fn&& fn);

// Calls `fn(const HeaderView&)` for each header in RecordView::headers_encoded. False if malformed.
template <typename Fn>
bool ForEachHeader(std::string_view headers_encoded, Fn&& fn);

// ---------------------------------------------------------------------------------------------
// Implementation details.
namespace wire {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void PutVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Reads a varint at *p (advancing it); false if truncated or longer than 10 bytes.
inline bool GetVarint(const char** p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && *p < end; shift += 7) {
    const auto byte = static_cast<uint8_t>(*(*p)++);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline size_t BytesFieldSize(std::string_view s) {
  return s.empty() ? 0 : 1 + VarintSize(s.size()) + s.size();
}

inline void PutBytesField(uint8_t tag, std::string_view s, std::string* out) {
  if (s.empty()) return;  // proto3: default values are not encoded
  out->push_back(static_cast<char>(tag));
  PutVarint(s.size(), out);
  out->append(s);
}

inline size_t HeaderBodySize(std::string_view key, std::string_view value) {
  return BytesFieldSize(key) + BytesFieldSize(value);
}

// The size of a Record message's body (without its RecordList tag and length).
template <typename Headers>
size_t RecordBodySize(std::string_view key, std::string_view value, const Headers& headers,
                      int64_t timestamp_ms) {
  size_t size = BytesFieldSize(key) + BytesFieldSize(value);
  for (const auto& h : headers) {
    const size_t header_size = HeaderBodySize(h.key, h.value);
    size += 1 + VarintSize(header_size) + header_size;
  }
  if (timestamp_ms != 0) size += 1 + VarintSize(static_cast<uint64_t>(timestamp_ms));
  return size;
}

// Parses one length-delimited field or varint field; used by the decoders below.
bool NextField(const char** p, const char* end, uint32_t* field, uint32_t* wire_type,
               std::string_view* bytes, uint64_t* varint);

}  // namespace wire

template <typename Headers>
size_t EncodedRecordSize(std::string_view key, std::string_view value, const Headers& headers,
                         int64_t timestamp_ms) {
  const size_t record_size = wire::RecordBodySize(key, value, headers, timestamp_ms);
  return 1 + wire::VarintSize(record_size) + record_size;
}

template <typename Headers>
void AppendRecord(std::string_view key, std::string_view value, const Headers& headers,
                  int64_t timestamp_ms, std::string* payload) {
  const size_t record_size = wire::RecordBodySize(key, value, headers, timestamp_ms);
  payload->reserve(payload->size() + 1 + wire::VarintSize(record_size) + record_size);
  payload->push_back(0x0A);  // RecordList.records, length-delimited
  wire::PutVarint(record_size, payload);
  wire::PutBytesField(0x0A, key, payload);    // Record.key = 1
  wire::PutBytesField(0x12, value, payload);  // Record.value = 2
  for (const auto& h : headers) {             // Record.headers = 3
    const size_t header_size = wire::HeaderBodySize(h.key, h.value);
    payload->push_back(0x1A);
    wire::PutVarint(header_size, payload);
    wire::PutBytesField(0x0A, h.key, payload);
    wire::PutBytesField(0x12, h.value, payload);
  }
  if (timestamp_ms != 0) {  // Record.timestamp_ms = 4 (int64: two's complement varint)
    payload->push_back(0x20);
    wire::PutVarint(static_cast<uint64_t>(timestamp_ms), payload);
  }
}

template <typename Fn>
bool ForEachRecord(std::string_view payload, Fn&& fn) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  while (p < end) {
    uint32_t field, wire_type;
    std::string_view record;
    uint64_t varint;
    if (!wire::NextField(&p, end, &field, &wire_type, &record, &varint)) return false;
    if (field != 1 || wire_type != 2) continue;  // unknown fields are skipped
    RecordView view;
    const char* r = record.data();
    const char* rend = r + record.size();
    const char* headers_begin = nullptr;
    const char* headers_end = nullptr;
    while (r < rend) {
      uint32_t f, wt;
      std::string_view bytes;
      uint64_t v;
      const char* field_start = r;
      if (!wire::NextField(&r, rend, &f, &wt, &bytes, &v)) return false;
      if (f == 1 && wt == 2)
        view.key = bytes;
      else if (f == 2 && wt == 2)
        view.value = bytes;
      else if (f == 3 && wt == 2) {
        // Headers are usually contiguous; keep the span from the first to the last header field.
        if (headers_begin == nullptr) headers_begin = field_start;
        headers_end = r;
      } else if (f == 4 && wt == 0) {
        view.timestamp_ms = static_cast<int64_t>(v);
      }
    }
    if (headers_begin != nullptr) {
      view.headers_encoded = std::string_view(headers_begin, headers_end - headers_begin);
    }
    fn(static_cast<const RecordView&>(view));
  }
  return true;
}

template <typename Fn>
bool ForEachHeader(std::string_view headers_encoded, Fn&& fn) {
  const char* p = headers_encoded.data();
  const char* end = p + headers_encoded.size();
  while (p < end) {
    uint32_t field, wire_type;
    std::string_view header;
    uint64_t varint;
    if (!wire::NextField(&p, end, &field, &wire_type, &header, &varint)) return false;
    if (field != 3 || wire_type != 2) continue;  // another Record field between headers
    HeaderView view;
    const char* h = header.data();
    const char* hend = h + header.size();
    while (h < hend) {
      uint32_t f, wt;
      std::string_view bytes;
      uint64_t v;
      if (!wire::NextField(&h, hend, &f, &wt, &bytes, &v)) return false;
      if (f == 1 && wt == 2)
        view.key = bytes;
      else if (f == 2 && wt == 2)
        view.value = bytes;
    }
    fn(static_cast<const HeaderView&>(view));
  }
  return true;
}

}  // namespace choreo::proto
