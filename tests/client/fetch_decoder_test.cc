#include "client/fetch_decoder.h"

#include <gtest/gtest.h>

#include "choreo/proto/batch.h"

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

}  // namespace
}  // namespace choreo::client_internal
