#include "client/producer/batch_encoding.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <utility>

#include "choreo/proto/batch.h"
#include "choreo/proto/record_wire.h"

namespace choreo::client_internal {
namespace {

using google::protobuf::io::CodedOutputStream;

// The RecordBatch fields besides `records`, at their largest: record_count (6), two timestamps
// (11 each), producer id (11), epoch (6), compression (2), CRC (5), uncompressed_bytes (6), the
// tag and length of `records` (6), and the sequence suffix (6), rounded up.
constexpr uint64_t kBatchHeaderBytes = 96;

}  // namespace

uint64_t RecordEntryBytes(const Record& record) {
  return proto::EncodedRecordSize(record.key, record.value, record.headers, record.timestamp_ms);
}

void AppendToBatch(const Record& record, ProducerBatch& batch) {
  proto::AppendRecord(record.key, record.value, record.headers, record.timestamp_ms,
                      &batch.payload);
  if (batch.record_count == 0) {
    batch.first_timestamp_ms = batch.max_timestamp_ms = record.timestamp_ms;
  } else {
    batch.max_timestamp_ms = std::max(batch.max_timestamp_ms, record.timestamp_ms);
  }
  ++batch.record_count;
}

uint64_t MaxEncodedBatchBytes(uint64_t payload_bytes, Compression compression) {
  uint64_t body = payload_bytes;
  // LZ4_COMPRESSBOUND is n + n/255 + 16, ZSTD_COMPRESSBOUND at most n + n/256 + 64.
  if (compression != Compression::kNone) body += payload_bytes / 255 + 64;
  return body + CodedOutputStream::VarintSize64(body) + kBatchHeaderBytes;
}

proto::Compression ToProto(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return proto::COMPRESSION_NONE;
    case Compression::kLz4:
      return proto::COMPRESSION_LZ4;
    case Compression::kZstd:
      return proto::COMPRESSION_ZSTD;
  }
  return proto::COMPRESSION_NONE;
}

Result<std::string> EncodeBatchBody(ProducerBatch& batch, Compression compression,
                                    int64_t producer_id, int32_t producer_epoch) {
  std::string out;
  const proto::BatchProducerFields fields{
      .producer_id = producer_id, .producer_epoch = producer_epoch, .base_sequence = 0};
  const bool encoded = proto::EncodeBatchFromPayload(
      std::move(batch.payload), batch.record_count, batch.first_timestamp_ms,
      batch.max_timestamp_ms, ToProto(compression), fields, &out);
  std::string().swap(batch.payload);  // only the encoded bytes are needed from now on
  if (!encoded) {
    return Status(ErrorCode::kInvalidArgument, "cannot encode the record batch");
  }
  return out;
}

std::string SequenceSuffix(int32_t base_sequence) {
  if (base_sequence == 0) return {};
  const uint32_t tag = (proto::RecordBatch::kBaseSequenceFieldNumber << 3) | 0;  // varint
  uint8_t suffix[10];
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(tag, suffix);
  end = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(base_sequence), end);
  return std::string(reinterpret_cast<const char*>(suffix), end - suffix);
}

}  // namespace choreo::client_internal
