// Record batch v2: build/decode round trips in every codec, header fields, and every way a batch
// can be malformed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/kafka/record_batch.h"
#include "choreo/common/big_endian.h"
#include "choreo/common/crc32c.h"

namespace choreo::kafka {
namespace {

std::vector<RecordInput> SampleRecords(int n) {
  std::vector<RecordInput> records;
  for (int i = 0; i < n; ++i) {
    RecordInput& r = records.emplace_back();
    if (i % 3 != 0) r.key = "key-" + std::to_string(i);
    if (i % 5 != 4)
      r.value = std::string(static_cast<size_t>(50 + i), static_cast<char>('a' + i % 26));
    r.timestamp_ms = 1'700'000'000'000 + (i * 7) % 13 - 6;  // not monotonic
    if (i % 2 == 0) {
      r.headers.emplace_back("ce_type", "OrderCreated");
      r.headers.emplace_back("traceparent", std::nullopt);
    }
  }
  return records;
}

// Rewrites the CRC after a test modified bytes it covers.
void FixCrc(std::string* batch) {
  PutBigEndian32(batch->data() + 17, Crc32c(batch->data() + 21, batch->size() - 21));
}

class KafkaRecordBatchCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(KafkaRecordBatchCodecTest, BuildThenDecode) {
  const std::vector<RecordInput> input = SampleRecords(100);
  BatchBuildOptions options;
  options.compression = GetParam();
  options.base_offset = 1234;
  options.producer_id = 99;
  options.producer_epoch = 3;
  options.base_sequence = 42;
  absl::StatusOr<std::string> batch = BuildBatch(options, input);
  ASSERT_TRUE(batch.ok()) << batch.status();

  BatchHeader header;
  ASSERT_TRUE(ValidateProducedBatch(*batch, {}, &header).ok());
  EXPECT_EQ(header.base_offset, 1234);
  EXPECT_EQ(header.compression(), GetParam());
  EXPECT_EQ(header.producer_id, 99);
  EXPECT_EQ(header.producer_epoch, 3);
  EXPECT_EQ(header.base_sequence, 42);
  EXPECT_EQ(header.record_count, 100);
  EXPECT_EQ(header.last_offset_delta, 99);
  EXPECT_EQ(header.base_timestamp, input[0].timestamp_ms);
  int64_t max_ts = 0;
  for (const RecordInput& r : input)
    max_ts = std::max(max_ts, r.timestamp_ms);
  EXPECT_EQ(header.max_timestamp, max_ts);
  EXPECT_EQ(header.total_bytes(), batch->size());

  std::string scratch;
  std::vector<RecordView> records;
  ASSERT_TRUE(DecodeRecords(*batch, {}, &scratch, &header, &records).ok());
  ASSERT_EQ(records.size(), input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(records[i].offset_delta, static_cast<int32_t>(i));
    EXPECT_EQ(header.base_timestamp + records[i].timestamp_delta, input[i].timestamp_ms);
    EXPECT_EQ(records[i].key.has_value(), input[i].key.has_value());
    if (input[i].key) {
      EXPECT_EQ(*records[i].key, *input[i].key);
    }
    EXPECT_EQ(records[i].value.has_value(), input[i].value.has_value());
    if (input[i].value) {
      EXPECT_EQ(*records[i].value, *input[i].value);
    }
    ASSERT_EQ(records[i].headers.size(), input[i].headers.size());
    for (size_t h = 0; h < input[i].headers.size(); ++h) {
      EXPECT_EQ(records[i].headers[h].key, input[i].headers[h].first);
      EXPECT_EQ(records[i].headers[h].value.has_value(), input[i].headers[h].second.has_value());
    }
  }
  if (GetParam() != Compression::kNone) {
    EXPECT_LT(batch->size(), 100u * 50);  // the values compress
    // A limit below the records' size refuses the batch.
    EXPECT_EQ(ValidateProducedBatch(*batch, {.max_uncompressed_bytes = 1000}, &header).code(),
              absl::StatusCode::kResourceExhausted);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, KafkaRecordBatchCodecTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

std::string OneBatch(int records = 3) {
  return *BuildBatch({}, SampleRecords(records));
}

TEST(KafkaRecordBatchTest, CrcCoversAttributesToTheEnd) {
  std::string batch = OneBatch();
  ASSERT_TRUE(ParseBatchHeader(batch).ok());
  for (size_t i : {size_t{21}, size_t{40}, batch.size() - 1}) {
    std::string bad = batch;
    bad[i] ^= 1;
    EXPECT_EQ(ParseBatchHeader(bad).status().code(), absl::StatusCode::kDataLoss) << i;
  }
  // base offset and partition leader epoch are outside the CRC: the broker rewrites them.
  SetBaseOffset(777, &batch);
  batch[12] ^= 1;
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->base_offset, 777);
}

TEST(KafkaRecordBatchTest, EveryTruncationIsAnError) {
  const std::string batch = OneBatch();
  BatchHeader header;
  for (size_t n = 0; n < batch.size(); ++n) {
    EXPECT_FALSE(ValidateProducedBatch(std::string_view(batch).substr(0, n), {}, &header).ok())
        << n;
  }
}

TEST(KafkaRecordBatchTest, HeaderChecks) {
  const std::string batch = OneBatch();
  auto with = [&](size_t at, std::string_view bytes) {
    std::string b = batch;
    b.replace(at, bytes.size(), bytes);
    FixCrc(&b);
    return b;
  };
  EXPECT_FALSE(ParseBatchHeader(with(16, std::string(1, '\x01'))).ok());              // magic 1
  EXPECT_FALSE(ParseBatchHeader(with(22, std::string(1, '\x05'))).ok());              // codec 5
  EXPECT_FALSE(ParseBatchHeader(with(57, std::string("\xff\xff\xff\xff", 4))).ok());  // count -1
  EXPECT_FALSE(ParseBatchHeader(with(8, std::string("\x00\x00\x00\x00", 4))).ok());   // length 0
  EXPECT_FALSE(ParseBatchHeader(with(8, std::string("\x7f\xff\xff\xff", 4))).ok());   // too long
  EXPECT_FALSE(ParseBatchHeader(batch + "x").ok());                                   // trailing

  BatchHeader header;
  // More records declared than present, or than the bytes could hold.
  EXPECT_FALSE(
      ValidateProducedBatch(with(57, std::string("\x00\x00\x00\x04", 4)), {}, &header).ok());
  EXPECT_FALSE(
      ValidateProducedBatch(with(57, std::string("\x01\x00\x00\x00", 4)), {}, &header).ok());
  // Fewer records declared than present: bytes left over.
  EXPECT_FALSE(
      ValidateProducedBatch(with(57, std::string("\x00\x00\x00\x02", 4)), {}, &header).ok());
  // last_offset_delta inconsistent with the count.
  EXPECT_FALSE(
      ValidateProducedBatch(with(23, std::string("\x00\x00\x00\x05", 4)), {}, &header).ok());
  // A control batch (attributes bit 5).
  EXPECT_FALSE(ValidateProducedBatch(with(22, std::string(1, '\x20')), {}, &header).ok());
}

TEST(KafkaRecordBatchTest, RecordFramingErrors) {
  // One record built by hand so that single fields can be broken.
  auto batch_with_record = [](std::string record) {
    RecordInput in;
    in.value = "v";
    std::string b = *BuildBatch({}, std::span<const RecordInput>(&in, 1));
    b.resize(kBatchHeaderBytes);
    b += record;
    PutBigEndian32(b.data() + 8, static_cast<uint32_t>(b.size() - kBatchLogOverhead));
    FixCrc(&b);
    return b;
  };
  BatchHeader header;
  // length 7 (zigzag 14 = 0e): attrs, ts 0, offset 0, key null (01), value "v" (02 76), 0 headers
  EXPECT_TRUE(ValidateProducedBatch(
                  batch_with_record(std::string("\x0e\x00\x00\x00\x01\x02v\x00", 8)), {}, &header)
                  .ok());
  // record length one too long / too short
  EXPECT_FALSE(
      ValidateProducedBatch(batch_with_record(std::string("\x10\x00\x00\x00\x01\x02v\x00\x00", 9)),
                            {}, &header)
          .ok());
  EXPECT_FALSE(ValidateProducedBatch(
                   batch_with_record(std::string("\x0c\x00\x00\x00\x01\x02v\x00", 8)), {}, &header)
                   .ok());
  // key length -2 (zigzag 03)
  EXPECT_FALSE(ValidateProducedBatch(
                   batch_with_record(std::string("\x0e\x00\x00\x00\x03\x02v\x00", 8)), {}, &header)
                   .ok());
  // header count 1000 (zigzag d0 0f) in a 9-byte record
  EXPECT_FALSE(
      ValidateProducedBatch(batch_with_record(std::string("\x10\x00\x00\x00\x01\x02v\xd0\x0f", 9)),
                            {}, &header)
          .ok());
  // a header with a null key (01) and null value
  EXPECT_FALSE(
      ValidateProducedBatch(
          batch_with_record(std::string("\x12\x00\x00\x00\x01\x02v\x02\x01\x01", 10)), {}, &header)
          .ok());
  // offset delta 1 for the first record (zigzag 02)
  EXPECT_FALSE(ValidateProducedBatch(
                   batch_with_record(std::string("\x0e\x00\x00\x02\x01\x02v\x00", 8)), {}, &header)
                   .ok());
}

TEST(KafkaRecordBatchTest, SplitBatches) {
  const std::string a = OneBatch(1);
  const std::string b = OneBatch(4);
  std::vector<std::string_view> batches;
  const std::string both = a + b;
  ASSERT_TRUE(SplitBatches(both, false, &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0], a);
  EXPECT_EQ(batches[1], b);

  const std::string cut = a + b.substr(0, b.size() - 3);
  EXPECT_FALSE(SplitBatches(cut, false, &batches).ok());
  ASSERT_TRUE(SplitBatches(cut, true, &batches).ok());
  EXPECT_EQ(batches.size(), 1u);
  const std::string short_tail = a + "short";
  ASSERT_TRUE(SplitBatches(short_tail, true, &batches).ok());
  EXPECT_EQ(batches.size(), 1u);
  EXPECT_FALSE(SplitBatches(std::string(12, '\0'), true, &batches).ok());  // length 0
  ASSERT_TRUE(SplitBatches("", false, &batches).ok());
  EXPECT_TRUE(batches.empty());
}

TEST(KafkaRecordBatchTest, BuildNeedsRecords) {
  EXPECT_FALSE(BuildBatch({}, {}).ok());
}

}  // namespace
}  // namespace choreo::kafka
