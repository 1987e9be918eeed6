#include "client/producer/batch_encoding.h"

#include <google/protobuf/io/coded_stream.h>

#include "choreo/proto/batch.h"

namespace choreo::client_internal {
namespace {

using google::protobuf::io::CodedOutputStream;

// The RecordBatch fields besides `records`, at their largest: record_count (6), two timestamps
// (11 each), producer id (11), epoch (6), compression (2), CRC (5), uncompressed_bytes (6), the
// tag and length of `records` (6), and the sequence suffix (6), rounded up.
constexpr uint64_t kBatchHeaderBytes = 96;

}  // namespace

uint64_t RecordEntryBytes(const proto::Record& record) {
  const uint64_t body = record.ByteSizeLong();
  return 1 + CodedOutputStream::VarintSize64(body) + body;
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

Result<std::string> EncodeBatchBody(const proto::RecordList& records, Compression compression,
                                    int64_t producer_id, int32_t producer_epoch) {
  std::string out;
  const proto::BatchProducerFields fields{
      .producer_id = producer_id, .producer_epoch = producer_epoch, .base_sequence = 0};
  if (!proto::EncodeBatch(records, ToProto(compression), fields, &out)) {
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
