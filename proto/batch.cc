#include "choreo/proto/batch.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>

#include "choreo/common/crc32c.h"

namespace choreo::proto {
namespace {

using google::protobuf::internal::WireFormatLite;

// Counts the top-level `records` (field 1) entries of a serialized RecordList by walking tags and
// skipping lengths, without materialising any Record. Returns -1 if the bytes are not a well-formed
// RecordList.
int64_t CountRecords(std::string_view payload) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(payload.data()),
                                            static_cast<int>(payload.size()));
  int64_t count = 0;
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return in.ConsumedEntireMessage() ? count : -1;
    if (WireFormatLite::GetTagFieldNumber(tag) == RecordList::kRecordsFieldNumber &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      ++count;
    }
    if (!WireFormatLite::SkipField(&in, tag)) return -1;
  }
}

}  // namespace

bool EncodeBatch(const RecordList& records, Compression compression,
                 const BatchProducerFields& producer, std::string* out) {
  if (compression != COMPRESSION_NONE) return false;
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
  records.SerializeToString(payload);
  batch.set_crc32c(Crc32c(*payload));
  out->clear();
  return batch.SerializeToString(out);
}

ErrorCode ValidateBatch(std::string_view batch_bytes, BatchSummary* summary,
                        std::string* error_message) {
  RecordBatch batch;
  if (!batch.ParseFromArray(batch_bytes.data(), static_cast<int>(batch_bytes.size()))) {
    *error_message = "record batch does not parse";
    return CORRUPT_MESSAGE;
  }
  if (batch.record_count() == 0) {
    *error_message = "record batch has no records";
    return INVALID_REQUEST;
  }
  if (Crc32c(batch.records()) != batch.crc32c()) {
    *error_message = "record batch CRC32C mismatch";
    return CORRUPT_MESSAGE;
  }
  switch (batch.compression()) {
    case COMPRESSION_NONE: {
      const int64_t counted = CountRecords(batch.records());
      if (counted < 0) {
        *error_message = "record batch payload is not a valid record list";
        return CORRUPT_MESSAGE;
      }
      if (counted != batch.record_count()) {
        *error_message = "record batch declares " + std::to_string(batch.record_count()) +
                         " records but holds " + std::to_string(counted);
        return CORRUPT_MESSAGE;
      }
      break;
    }
    default:
      *error_message = "unsupported compression codec " + std::to_string(batch.compression());
      return INVALID_REQUEST;
  }
  summary->record_count = batch.record_count();
  summary->first_timestamp_ms = batch.first_timestamp_ms();
  summary->max_timestamp_ms = batch.max_timestamp_ms();
  summary->producer_id = batch.producer_id();
  summary->producer_epoch = batch.producer_epoch();
  summary->base_sequence = batch.base_sequence();
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
  if (header->compression() != COMPRESSION_NONE) {
    *error_message = "unsupported compression codec " + std::to_string(header->compression());
    return CORRUPT_MESSAGE;
  }
  if (!records->ParseFromString(header->records())) {
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
