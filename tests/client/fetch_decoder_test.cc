#include "client/fetch_decoder.h"

#include <gtest/gtest.h>

#include "choreo/common/crc32c.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/record_wire.h"

namespace choreo::client_internal {
namespace {

// A fetched batch of `count` records with values "v<offset>" starting at `base`.
void AddBatch(proto::FetchPartitionResponse* partition, int64_t base, int count) {
  proto::RecordList list;
  for (int i = 0; i < count; ++i) {
    proto::Record* record = list.add_records();
    record->set_key("k");
    record->set_value("v" + std::to_string(base + i));
    record->set_timestamp_ms(1000 + i);
    proto::Header* header = record->add_headers();
    header->set_key("h");
    header->set_value("x");
  }
  proto::FetchedBatch* batch = partition->add_batches();
  batch->set_base_offset(base);
  ASSERT_TRUE(proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, batch->mutable_batch()));
}

proto::FetchPartitionResponse Partition(const std::string& topic, uint32_t partition) {
  proto::FetchPartitionResponse p;
  p.set_topic(topic);
  p.set_partition(partition);
  return p;
}

TEST(FetchDecoderTest, DecodesEveryRecordOfEveryBatchInOrder) {
  proto::FetchPartitionResponse p = Partition("t", 3);
  AddBatch(&p, 10, 5);  // 10..14
  AddBatch(&p, 15, 2);  // 15..16
  const DecodedPartition decoded = DecodeFetchPartition(p);
  ASSERT_TRUE(decoded.error.ok()) << decoded.error.ToString();
  EXPECT_EQ(decoded.partition, (TopicPartition{"t", 3}));
  ASSERT_EQ(decoded.records.size(), 7u);
  for (size_t i = 0; i < decoded.records.size(); ++i) {
    const ConsumedRecord& r = decoded.records[i];
    EXPECT_EQ(r.topic, "t");
    EXPECT_EQ(r.partition, 3u);
    EXPECT_EQ(r.offset, static_cast<int64_t>(10 + i));
    EXPECT_EQ(r.record.value, "v" + std::to_string(10 + i));
    EXPECT_EQ(r.record.key, "k");
    ASSERT_EQ(r.record.headers.size(), 1u);
    EXPECT_EQ(r.record.headers[0].value, "x");
  }
}

TEST(FetchDecoderTest, ABatchStampedByTheBrokerGivesEveryRecordItsLogAppendTime) {
  proto::FetchPartitionResponse p = Partition("t", 0);
  AddBatch(&p, 0, 3);  // create time: 1000, 1001, 1002
  AddBatch(&p, 3, 2);
  proto::StampLogAppendTime(1'700'000'000'123, p.mutable_batches(1)->mutable_batch());
  const DecodedPartition decoded = DecodeFetchPartition(p);
  ASSERT_TRUE(decoded.error.ok()) << decoded.error.ToString();  // the CRC still holds
  ASSERT_EQ(decoded.records.size(), 5u);
  EXPECT_EQ(decoded.records[2].record.timestamp_ms, 1002);
  EXPECT_EQ(decoded.records[3].record.timestamp_ms, 1'700'000'000'123);
  EXPECT_EQ(decoded.records[4].record.timestamp_ms, 1'700'000'000'123);
}

TEST(FetchDecoderTest, ReportsThePartitionErrorWithTheLogBounds) {
  proto::FetchPartitionResponse p = Partition("t", 0);
  p.mutable_error()->set_code(proto::OFFSET_OUT_OF_RANGE);
  p.set_log_start_offset(50);
  p.set_high_watermark(60);
  const DecodedPartition decoded = DecodeFetchPartition(p);
  EXPECT_EQ(decoded.error.code(), ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(decoded.log_start_offset, 50);
  EXPECT_EQ(decoded.high_watermark, 60);
  EXPECT_TRUE(decoded.records.empty());
}

TEST(FetchDecoderTest, ACorruptBatchIsAnErrorAfterTheGoodOnes) {
  proto::FetchPartitionResponse p = Partition("t", 0);
  AddBatch(&p, 0, 2);
  AddBatch(&p, 2, 2);
  std::string& bytes = *p.mutable_batches(1)->mutable_batch();
  bytes[bytes.size() - 2] ^= 0x5a;
  const DecodedPartition decoded = DecodeFetchPartition(p);
  EXPECT_EQ(decoded.error.code(), ErrorCode::kCorruptMessage);
  EXPECT_NE(decoded.error.message().find("batch at offset 2"), std::string::npos);
  EXPECT_EQ(decoded.records.size(), 2u);
}

TEST(FetchDecoderTest, DecodesHeadersAndCompressedBatches) {
  for (proto::Compression codec : {proto::COMPRESSION_LZ4, proto::COMPRESSION_ZSTD}) {
    proto::RecordList list;
    proto::Record* first = list.add_records();
    first->set_key("order-1");
    first->set_value(std::string(500, 'v'));
    first->set_timestamp_ms(1700000000123);
    for (const char* name : {"event-type", "", "traceparent"}) {
      proto::Header* header = first->add_headers();
      header->set_key(name);
      header->set_value(std::string(name) + "-value");
    }
    list.add_records()->set_value("no key, no headers");
    proto::FetchPartitionResponse p = Partition("a-topic-name-longer-than-sso", 1);
    proto::FetchedBatch* batch = p.add_batches();
    batch->set_base_offset(40);
    ASSERT_TRUE(proto::EncodeBatch(list, codec, {}, batch->mutable_batch()));

    const DecodedPartition decoded = DecodeFetchPartition(p);
    ASSERT_TRUE(decoded.error.ok()) << decoded.error.ToString();
    ASSERT_EQ(decoded.records.size(), 2u);
    const ConsumedRecord& r = decoded.records[0];
    EXPECT_EQ(r.topic, "a-topic-name-longer-than-sso");
    EXPECT_EQ(r.offset, 40);
    EXPECT_EQ(r.record.key, "order-1");
    EXPECT_EQ(r.record.value, std::string(500, 'v'));
    EXPECT_EQ(r.record.timestamp_ms, 1700000000123);
    ASSERT_EQ(r.record.headers.size(), 3u);
    EXPECT_EQ(r.record.headers[0].key, "event-type");
    EXPECT_EQ(r.record.headers[0].value, "event-type-value");
    EXPECT_EQ(r.record.headers[1].key, "");
    EXPECT_EQ(r.record.headers[1].value, "-value");
    EXPECT_EQ(r.record.headers[2].key, "traceparent");
    EXPECT_EQ(decoded.records[1].offset, 41);
    EXPECT_EQ(decoded.records[1].record.key, "");
    EXPECT_EQ(decoded.records[1].record.value, "no key, no headers");
    EXPECT_TRUE(decoded.records[1].record.headers.empty());
  }
}

TEST(FetchDecoderTest, ARecordCountMismatchIsCorrupt) {
  proto::RecordList list;
  list.add_records()->set_value("a");
  list.add_records()->set_value("b");
  proto::RecordBatch header;
  header.set_record_count(3);  // but holds 2
  header.set_records(list.SerializeAsString());
  header.set_crc32c(Crc32c(header.records()));
  header.set_uncompressed_bytes(static_cast<uint32_t>(header.records().size()));
  proto::FetchPartitionResponse p = Partition("t", 0);
  AddBatch(&p, 0, 2);
  proto::FetchedBatch* batch = p.add_batches();
  batch->set_base_offset(2);
  batch->set_batch(header.SerializeAsString());

  const DecodedPartition decoded = DecodeFetchPartition(p);
  EXPECT_EQ(decoded.error.code(), ErrorCode::kCorruptMessage);
  EXPECT_NE(decoded.error.message().find("count"), std::string::npos) << decoded.error.message();
  EXPECT_EQ(decoded.records.size(), 2u);  // the good first batch only
}

}  // namespace
}  // namespace choreo::client_internal
