#include "storage/value_format.h"

#include <absl/strings/str_cat.h>

#include "choreo/common/big_endian.h"
#include "choreo/common/crc32c.h"

namespace choreo::storage {
namespace {

constexpr size_t kCrcFieldOffset = 33;

uint32_t ComputeCrc(std::string_view header_without_crc, std::string_view batch) {
  uint32_t crc = Crc32c(header_without_crc);
  return Crc32cExtend(crc, batch.data(), batch.size());
}

absl::StatusOr<BatchHeader> ParseHeader(std::string_view value) {
  if (value.size() < kBatchHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("value of ", value.size(), " bytes is shorter than the batch header"));
  }
  const char* p = value.data();
  if (static_cast<uint8_t>(p[0]) != kBatchValueVersion) {
    return absl::DataLossError(
        absl::StrCat("unknown batch value version ", static_cast<uint8_t>(p[0])));
  }
  BatchHeader header{
      .record_count = GetBigEndian32(p + 1),
      .max_timestamp_ms = static_cast<int64_t>(GetBigEndian64(p + 5)),
      .producer_id = static_cast<int64_t>(GetBigEndian64(p + 13)),
      .producer_epoch = static_cast<int32_t>(GetBigEndian32(p + 21)),
      .base_sequence = static_cast<int32_t>(GetBigEndian32(p + 25)),
      .batch_length = GetBigEndian32(p + 29),
      .crc = GetBigEndian32(p + kCrcFieldOffset),
  };
  if (value.size() - kBatchHeaderSize != header.batch_length) {
    return absl::DataLossError(absl::StrCat("value holds ", value.size() - kBatchHeaderSize,
                                            " batch bytes, header says ", header.batch_length));
  }
  if (header.record_count == 0) return absl::DataLossError("batch header says 0 records");
  return header;
}

}  // namespace

BatchHeaderBytes EncodeBatchHeader(const BatchFields& fields, std::string_view batch) {
  BatchHeaderBytes out;
  char* p = out.data();
  p[0] = static_cast<char>(kBatchValueVersion);
  PutBigEndian32(p + 1, fields.record_count);
  PutBigEndian64(p + 5, static_cast<uint64_t>(fields.max_timestamp_ms));
  PutBigEndian64(p + 13, static_cast<uint64_t>(fields.producer_id));
  PutBigEndian32(p + 21, static_cast<uint32_t>(fields.producer_epoch));
  PutBigEndian32(p + 25, static_cast<uint32_t>(fields.base_sequence));
  PutBigEndian32(p + 29, static_cast<uint32_t>(batch.size()));
  PutBigEndian32(p + kCrcFieldOffset, ComputeCrc(std::string_view(p, kCrcFieldOffset), batch));
  return out;
}

absl::StatusOr<BatchView> DecodeBatchValue(std::string_view value) {
  absl::StatusOr<BatchHeader> header = ParseHeader(value);
  if (!header.ok()) return header.status();
  std::string_view batch = value.substr(kBatchHeaderSize);
  uint32_t actual = ComputeCrc(value.substr(0, kCrcFieldOffset), batch);
  if (actual != header->crc) {
    return absl::DataLossError(
        absl::StrCat("checksum mismatch (stored ", header->crc, ", computed ", actual, ")"));
  }
  return BatchView{.header = *header, .batch = batch};
}

absl::StatusOr<BatchHeader> DecodeBatchHeaderOnly(std::string_view value) {
  return ParseHeader(value);
}

}  // namespace choreo::storage
