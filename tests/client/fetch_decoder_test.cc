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

proto::FetchPartitionResponse* AddPartition(proto::FetchResponse* fetch, const std::string& topic,
                                            uint32_t partition) {
  proto::FetchPartitionResponse* p = fetch->add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  return p;
}

TEST(FetchDecoderTest, SkipsRecordsBelowThePositionAndAdvances) {
  proto::FetchResponse fetch;
  proto::FetchPartitionResponse* p = AddPartition(&fetch, "t", 0);
  AddBatch(p, 10, 5);  // 10..14, position is 12
  AddBatch(p, 15, 2);  // 15..16
  std::map<TopicPartition, int64_t> positions{{{"t", 0}, 12}};
  Result<std::vector<ConsumedRecord>> records = DecodeFetch(fetch, &positions);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 5u);
  for (size_t i = 0; i < records->size(); ++i) {
    const ConsumedRecord& r = (*records)[i];
    EXPECT_EQ(r.offset, static_cast<int64_t>(12 + i));
    EXPECT_EQ(r.record.value, "v" + std::to_string(12 + i));
    EXPECT_EQ(r.record.key, "k");
    ASSERT_EQ(r.record.headers.size(), 1u);
    EXPECT_EQ(r.record.headers[0].value, "x");
  }
  EXPECT_EQ((positions[{"t", 0}]), 17);
}

TEST(FetchDecoderTest, ReturnsRecordsOfHealthyPartitionsBeforeErrors) {
  proto::FetchResponse fetch;
  proto::FetchPartitionResponse* bad = AddPartition(&fetch, "t", 0);
  bad->mutable_error()->set_code(proto::OFFSET_OUT_OF_RANGE);
  bad->set_log_start_offset(50);
  bad->set_high_watermark(60);
  AddBatch(AddPartition(&fetch, "t", 1), 0, 3);
  std::map<TopicPartition, int64_t> positions{{{"t", 0}, 5}, {{"t", 1}, 0}};

  Result<std::vector<ConsumedRecord>> records = DecodeFetch(fetch, &positions);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 3u);
  EXPECT_EQ((positions[{"t", 0}]), 5);  // untouched

  proto::FetchResponse only_error;
  *only_error.add_partitions() = *bad;
  Result<std::vector<ConsumedRecord>> error = DecodeFetch(only_error, &positions);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), ErrorCode::kOffsetOutOfRange);
  EXPECT_NE(error.status().message().find("log start 50"), std::string::npos)
      << error.status().message();
}

TEST(FetchDecoderTest, CorruptBatchIsAnError) {
  proto::FetchResponse fetch;
  proto::FetchPartitionResponse* p = AddPartition(&fetch, "t", 0);
  AddBatch(p, 0, 2);
  std::string& bytes = *p->mutable_batches(0)->mutable_batch();
  bytes[bytes.size() - 2] ^= 0x5a;
  std::map<TopicPartition, int64_t> positions{{{"t", 0}, 0}};
  Result<std::vector<ConsumedRecord>> records = DecodeFetch(fetch, &positions);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kCorruptMessage);
  EXPECT_EQ((positions[{"t", 0}]), 0);
}

TEST(FetchDecoderTest, IgnoresPartitionsNoLongerAssigned) {
  proto::FetchResponse fetch;
  AddBatch(AddPartition(&fetch, "other", 0), 0, 2);
  std::map<TopicPartition, int64_t> positions{{{"t", 0}, 0}};
  Result<std::vector<ConsumedRecord>> records = DecodeFetch(fetch, &positions);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace choreo::client_internal
