// Fuzz target: Kafka record batches v2 (broker/kafka/record_batch.h) as a producer could send
// them, and the compression codecs behind them.
//
// Input: byte 0 even: the rest is a records blob as a produce request carries it (one or more
// batches). Byte 0 odd: the rest from byte 2 is a records section that the target wraps into a
// batch with the right sizes and CRC-32C, compressed with codec (byte 0 >> 1) % 5 and declaring
// byte 1 records; without the wrapping almost every mutation would only fail the CRC.
//
// Checked beyond "no crash, no unbounded allocation": a batch ValidateProducedBatch accepts is one
// DecodeRecords reads with the declared record count, and rebuilding it from the decoded records
// (same codec and producer fields) gives a batch that validates and decodes to the same records;
// a failure says why; decompressed output stays within the limit.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kafka/record_batch.h"
#include "choreo/common/big_endian.h"
#include "choreo/common/crc32c.h"
#include "tests/fuzz/fuzz_check.h"

namespace kafka = choreo::kafka;

namespace {

constexpr kafka::BatchLimits kLimits{.max_uncompressed_bytes = 1 << 20};

std::string Wrap(kafka::Compression codec, int32_t count, std::string_view section) {
  std::string records(section);
  if (codec != kafka::Compression::kNone) {
    std::string packed;
    if (!kafka::Compress(codec, section, &packed).ok()) return {};
    records = std::move(packed);
  }
  std::string batch(kafka::kBatchHeaderBytes, '\0');
  choreo::PutBigEndian32(
      batch.data() + 8,
      static_cast<uint32_t>(kafka::kBatchHeaderBytes - kafka::kBatchLogOverhead + records.size()));
  batch[16] = kafka::kMagicV2;
  batch[22] = static_cast<char>(codec);
  choreo::PutBigEndian32(batch.data() + 23, static_cast<uint32_t>(count - 1));
  choreo::PutBigEndian32(batch.data() + 57, static_cast<uint32_t>(count));
  batch += records;
  choreo::PutBigEndian32(batch.data() + 17, choreo::Crc32c(batch.data() + 21, batch.size() - 21));
  return batch;
}

std::vector<kafka::RecordInput> ToInputs(const kafka::BatchHeader& header,
                                         const std::vector<kafka::RecordView>& views) {
  std::vector<kafka::RecordInput> inputs;
  for (const kafka::RecordView& v : views) {
    kafka::RecordInput& in = inputs.emplace_back();
    if (v.key) in.key.emplace(*v.key);
    if (v.value) in.value.emplace(*v.value);
    in.timestamp_ms = header.base_timestamp + v.timestamp_delta;
    for (const kafka::RecordHeaderView& h : v.headers) {
      in.headers.emplace_back(std::string(h.key),
                              h.value ? std::optional<std::string>(*h.value) : std::nullopt);
    }
  }
  return inputs;
}

void CheckBatch(std::string_view batch) {
  kafka::BatchHeader header;
  const absl::Status validated = kafka::ValidateProducedBatch(batch, kLimits, &header);
  std::string scratch;
  kafka::BatchHeader decoded_header;
  std::vector<kafka::RecordView> records;
  const absl::Status decoded =
      kafka::DecodeRecords(batch, kLimits, &scratch, &decoded_header, &records);
  FUZZ_CHECK(scratch.size() <= kLimits.max_uncompressed_bytes);
  FUZZ_CHECK(validated.ok() || !validated.message().empty());
  FUZZ_CHECK(decoded.ok() || !decoded.message().empty());
  if (!validated.ok()) return;
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(records.size() == static_cast<size_t>(header.record_count));

  // Timestamps from hostile deltas may overflow when re-based; only rebuild sane ones.
  for (const kafka::RecordView& r : records) {
    if (r.timestamp_delta > (int64_t{1} << 50) || r.timestamp_delta < -(int64_t{1} << 50)) return;
  }
  if (header.base_timestamp > (int64_t{1} << 50) || header.base_timestamp < -(int64_t{1} << 50)) {
    return;
  }
  kafka::BatchBuildOptions options;
  options.compression = header.compression();
  options.producer_id = header.producer_id;
  options.producer_epoch = header.producer_epoch;
  options.base_sequence = header.base_sequence;
  const std::vector<kafka::RecordInput> inputs = ToInputs(header, records);
  absl::StatusOr<std::string> rebuilt = kafka::BuildBatch(options, inputs);
  FUZZ_CHECK(rebuilt.ok());
  // The rebuilt records may take more bytes (minimal varints, but deltas from another base), so
  // only the size limit may refuse them.
  kafka::BatchHeader rebuilt_header;
  const absl::Status revalidated = kafka::ValidateProducedBatch(*rebuilt, kLimits, &rebuilt_header);
  FUZZ_CHECK(revalidated.ok() || revalidated.code() == absl::StatusCode::kResourceExhausted);
  if (!revalidated.ok()) return;
  std::string rebuilt_scratch;
  std::vector<kafka::RecordView> rebuilt_records;
  FUZZ_CHECK(
      kafka::DecodeRecords(*rebuilt, kLimits, &rebuilt_scratch, &rebuilt_header, &rebuilt_records)
          .ok());
  FUZZ_CHECK(rebuilt_records.size() == records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    FUZZ_CHECK(rebuilt_records[i].key == records[i].key);
    FUZZ_CHECK(rebuilt_records[i].value == records[i].value);
    FUZZ_CHECK(rebuilt_header.base_timestamp + rebuilt_records[i].timestamp_delta ==
               header.base_timestamp + records[i].timestamp_delta);
    FUZZ_CHECK(rebuilt_records[i].headers.size() == records[i].headers.size());
    for (size_t h = 0; h < records[i].headers.size(); ++h) {
      FUZZ_CHECK(rebuilt_records[i].headers[h].key == records[i].headers[h].key);
      FUZZ_CHECK(rebuilt_records[i].headers[h].value == records[i].headers[h].value);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) != 0) {
    const auto codec = static_cast<kafka::Compression>((data[0] >> 1) % 5);
    const std::string batch = Wrap(codec, data[1], rest.substr(1));
    if (!batch.empty()) CheckBatch(batch);
    return 0;
  }
  std::vector<std::string_view> batches;
  const absl::Status split = kafka::SplitBatches(rest, false, &batches);
  FUZZ_CHECK(split.ok() || !split.message().empty());
  if (!split.ok()) {
    CheckBatch(rest);  // still one (malformed) batch to the checks
    return 0;
  }
  for (std::string_view batch : batches)
    CheckBatch(batch);
  return 0;
}
