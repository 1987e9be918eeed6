// BuildBatch: the magic-2 batches of the fetch path and of tests.
#include <algorithm>

#include "broker/kafka/record_batch.h"
#include "broker/kafka/wire.h"
#include "choreo/common/big_endian.h"
#include "choreo/common/crc32c.h"

namespace choreo::kafka {
namespace {

void WriteNullableBytes(WireWriter* w, const std::optional<std::string>& bytes) {
  if (!bytes) {
    w->WriteVarint(-1);
    return;
  }
  w->WriteVarint(static_cast<int32_t>(bytes->size()));
  w->WriteBytes(*bytes);
}

void AppendRecord(const RecordInput& record, int64_t base_timestamp, int32_t offset_delta,
                  std::string* out) {
  std::string body;
  WireWriter b(&body);
  b.WriteInt8(0);  // record attributes: unused
  b.WriteVarlong(record.timestamp_ms - base_timestamp);
  b.WriteVarint(offset_delta);
  WriteNullableBytes(&b, record.key);
  WriteNullableBytes(&b, record.value);
  b.WriteVarint(static_cast<int32_t>(record.headers.size()));
  for (const auto& [key, value] : record.headers) {
    b.WriteVarint(static_cast<int32_t>(key.size()));
    b.WriteBytes(key);
    WriteNullableBytes(&b, value);
  }
  WireWriter w(out);
  w.WriteVarint(static_cast<int32_t>(body.size()));
  w.WriteBytes(body);
}

}  // namespace

absl::StatusOr<std::string> BuildBatch(const BatchBuildOptions& options,
                                       std::span<const RecordInput> records) {
  if (records.empty()) return absl::InvalidArgumentError("a batch needs at least one record");
  const int64_t base_timestamp = records.front().timestamp_ms;
  int64_t max_timestamp = base_timestamp;
  std::string section;
  for (size_t i = 0; i < records.size(); ++i) {
    max_timestamp = std::max(max_timestamp, records[i].timestamp_ms);
    AppendRecord(records[i], base_timestamp, static_cast<int32_t>(i), &section);
  }
  if (options.compression != Compression::kNone) {
    std::string compressed;
    if (absl::Status s = Compress(options.compression, section, &compressed); !s.ok()) return s;
    section = std::move(compressed);
  }

  int16_t attributes = static_cast<int16_t>(options.compression);
  if (options.log_append_time) attributes |= 0x8;
  if (options.transactional) attributes |= 0x10;
  const int32_t count = static_cast<int32_t>(records.size());

  std::string batch;
  batch.reserve(kBatchHeaderBytes + section.size());
  WireWriter w(&batch);
  w.WriteInt64(options.base_offset);
  w.WriteInt32(static_cast<int32_t>(kBatchHeaderBytes - kBatchLogOverhead + section.size()));
  w.WriteInt32(options.partition_leader_epoch);
  w.WriteInt8(kMagicV2);
  w.WriteInt32(0);  // CRC, filled in below
  w.WriteInt16(attributes);
  w.WriteInt32(count - 1);
  w.WriteInt64(base_timestamp);
  w.WriteInt64(max_timestamp);
  w.WriteInt64(options.producer_id);
  w.WriteInt16(options.producer_epoch);
  w.WriteInt32(options.base_sequence);
  w.WriteInt32(count);
  w.WriteBytes(section);
  PutBigEndian32(batch.data() + kBatchCrcOffset, Crc32c(batch.data() + kBatchAttributesOffset,
                                                        batch.size() - kBatchAttributesOffset));
  return batch;
}

}  // namespace choreo::kafka
