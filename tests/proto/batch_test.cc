#include "choreo/proto/batch.h"

#include <gtest/gtest.h>

#include "choreo/common/crc32c.h"

namespace choreo::proto {
namespace {

RecordList MakeRecords(int n) {
  RecordList list;
  for (int i = 0; i < n; ++i) {
    Record* r = list.add_records();
    r->set_key("key-" + std::to_string(i));
    r->set_value("value-" + std::to_string(i));
    r->set_timestamp_ms(1000 + (i * 7) % 5);
    Header* h = r->add_headers();
    h->set_key("event-type");
    h->set_value("OrderCreated");
  }
  return list;
}

TEST(BatchTest, EncodeValidateDecodeRoundTrip) {
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(MakeRecords(5), COMPRESSION_NONE,
                          {.producer_id = 42, .producer_epoch = 3, .base_sequence = 10}, &bytes));
  BatchSummary summary;
  std::string error;
  ASSERT_EQ(ValidateBatch(bytes, &summary, &error), NONE) << error;
  EXPECT_EQ(summary.record_count, 5u);
  EXPECT_EQ(summary.first_timestamp_ms, 1000);
  EXPECT_EQ(summary.max_timestamp_ms, 1004);
  EXPECT_EQ(summary.producer_id, 42);
  EXPECT_EQ(summary.producer_epoch, 3);
  EXPECT_EQ(summary.base_sequence, 10);

  RecordBatch header;
  RecordList decoded;
  ASSERT_EQ(DecodeBatch(bytes, &header, &decoded, &error), NONE) << error;
  ASSERT_EQ(decoded.records_size(), 5);
  EXPECT_EQ(decoded.records(3).key(), "key-3");
  EXPECT_EQ(decoded.records(3).headers(0).value(), "OrderCreated");
}

TEST(BatchTest, FlippedPayloadByteFailsChecksum) {
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(MakeRecords(3), COMPRESSION_NONE, {}, &bytes));
  RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(bytes));
  (*batch.mutable_records())[batch.records().size() / 2] ^= 0x01;  // CRC left as it was
  bytes = batch.SerializeAsString();
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(bytes, &summary, &error), CORRUPT_MESSAGE);
  EXPECT_NE(error.find("CRC32C"), std::string::npos) << error;
}

TEST(BatchTest, WrongRecordCountIsRejected) {
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(MakeRecords(3), COMPRESSION_NONE, {}, &bytes));
  RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(bytes));
  batch.set_record_count(4);
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE);
  EXPECT_NE(error.find("declares 4"), std::string::npos) << error;
}

TEST(BatchTest, EmptyBatchIsInvalid) {
  RecordBatch batch;
  batch.set_crc32c(Crc32c(std::string()));
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), INVALID_REQUEST);
}

TEST(BatchTest, GarbageIsCorrupt) {
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(std::string("\xFF\xFF\xFF\xFF\xFF", 5), &summary, &error),
            CORRUPT_MESSAGE);
}

TEST(BatchTest, PayloadThatIsNotARecordListIsCorrupt) {
  RecordBatch batch;
  batch.set_record_count(1);
  batch.set_records(std::string("\x0A\x10short", 7));  // declares 16 bytes, holds 5
  batch.set_crc32c(Crc32c(batch.records()));
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE);
}

// ValidateBatch counted the records without looking inside them, so the broker stored batches
// that every consumer's decoder (ForEachRecord/ForEachHeader) rejects, stopping the partition's
// consumers at that offset (tests/fuzz/record_batch_fuzz.cc checks accepted implies readable).
TEST(BatchTest, BatchConsumersCannotReadIsRejectedOnProduce) {
  const std::string payloads[] = {
      std::string("\x0A\x01\xFF", 3),              // a record whose only field is a cut varint
      std::string("\x0A\x00\x13\x14", 4),          // a group (wire types 3/4) after a record
      std::string("\x0A\x04\x1A\x02\x0A\x05", 6),  // a header whose key overruns the header
  };
  for (const std::string& payload : payloads) {
    RecordBatch batch;
    batch.set_record_count(1);
    batch.set_records(payload);
    batch.set_crc32c(Crc32c(batch.records()));
    BatchSummary summary;
    std::string error;
    EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE)
        << testing::PrintToString(payload);
  }
}

}  // namespace
}  // namespace choreo::proto

namespace choreo::proto {
namespace {

class CompressedBatchTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressedBatchTest, RoundTripsAndValidates) {
  RecordList records;
  for (int i = 0; i < 200; ++i) {
    Record* r = records.add_records();
    r->set_key("order-" + std::to_string(i));
    r->set_value(R"({"order_id":)" + std::to_string(i) + R"(,"status":"created","amount":1999})");
  }
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), {}, &bytes));
  EXPECT_LT(bytes.size(), records.ByteSizeLong() / 2) << "repetitive JSON should compress";
  BatchSummary summary;
  std::string error;
  ASSERT_EQ(ValidateBatch(bytes, &summary, &error), NONE) << error;
  EXPECT_EQ(summary.record_count, 200u);
  RecordBatch header;
  RecordList decoded;
  ASSERT_EQ(DecodeBatch(bytes, &header, &decoded, &error), NONE) << error;
  EXPECT_EQ(header.compression(), GetParam());
  ASSERT_EQ(decoded.records_size(), 200);
  EXPECT_EQ(decoded.records(199).key(), "order-199");
}

TEST_P(CompressedBatchTest, WrongDeclaredSizeIsCorrupt) {
  RecordList records;
  records.add_records()->set_value(std::string(1000, 'a'));
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), {}, &bytes));
  RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(bytes));
  batch.set_uncompressed_bytes(batch.uncompressed_bytes() + 1);
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE) << error;
}

TEST_P(CompressedBatchTest, HugeDeclaredSizeIsRejectedBeforeAllocating) {
  RecordList records;
  records.add_records()->set_value("x");
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), {}, &bytes));
  RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(bytes));
  batch.set_uncompressed_bytes(0xFFFFFFFFu);
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), MESSAGE_TOO_LARGE);
}

TEST_P(CompressedBatchTest, GarbagePayloadIsCorrupt) {
  RecordBatch batch;
  batch.set_record_count(1);
  batch.set_compression(GetParam());
  batch.set_records(std::string(64, '\x7f'));
  batch.set_uncompressed_bytes(100);
  batch.set_crc32c(Crc32c(batch.records()));
  BatchSummary summary;
  std::string error;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE);
}

// A few bytes of payload declaring 256 MiB (within the limit) made every produce of it allocate and
// zero 256 MiB before the decompressor found the payload short (tests/fuzz/decompress_fuzz.cc now
// checks the allocation against what the input can expand to).
TEST_P(CompressedBatchTest, DeclaredSizeThePayloadCannotHoldCostsNoAllocation) {
  std::string payload;
  ASSERT_TRUE(CompressPayload(GetParam(), "x", &payload));
  std::string out;
  std::string error;
  EXPECT_EQ(DecompressPayload(GetParam(), payload, kMaxUncompressedBatchBytes, &out, &error),
            CORRUPT_MESSAGE);
  EXPECT_NE(error.find("compressed bytes can hold"), std::string::npos) << error;
  EXPECT_LT(out.capacity(), 1u << 20);

  RecordList records;
  records.add_records()->set_value("x");
  std::string bytes;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), {}, &bytes));
  RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(bytes));
  batch.set_uncompressed_bytes(kMaxUncompressedBatchBytes);
  BatchSummary summary;
  EXPECT_EQ(ValidateBatch(batch.SerializeAsString(), &summary, &error), CORRUPT_MESSAGE);
  EXPECT_NE(error.find("compressed bytes can hold"), std::string::npos) << error;
}

// The bound must never reject a real payload: the most compressible one (all zeros) fits it.
TEST_P(CompressedBatchTest, MostCompressiblePayloadIsWithinTheBound) {
  const std::string zeros(16u << 20, '\0');
  std::string packed;
  ASSERT_TRUE(CompressPayload(GetParam(), zeros, &packed));
  EXPECT_LE(zeros.size(), MaxDecompressedBytes(GetParam(), packed.size()));
  std::string out;
  std::string error;
  ASSERT_EQ(
      DecompressPayload(GetParam(), packed, static_cast<uint32_t>(zeros.size()), &out, &error),
      NONE)
      << error;
  EXPECT_EQ(out, zeros);
}

TEST(DecompressPayloadTest, UnknownCodecAllocatesNothing) {
  std::string out;
  std::string error;
  EXPECT_EQ(DecompressPayload(static_cast<Compression>(9), "abc", 64u << 20, &out, &error),
            INVALID_REQUEST);
  EXPECT_LT(out.capacity(), 1u << 20);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressedBatchTest,
                         ::testing::Values(COMPRESSION_LZ4, COMPRESSION_ZSTD));

}  // namespace
}  // namespace choreo::proto
