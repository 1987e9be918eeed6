// The Kafka listener's edge translation (broker/kafka/handlers/record_translate.h) and error code
// mapping: records keep key, value, headers and timestamps in both directions, under every codec.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/record_translate.h"
#include "broker/kafka/record_batch.h"
#include "choreo/proto/batch.h"

namespace choreo::kafka {
namespace {

std::vector<RecordInput> SampleRecords() {
  return {
      {.key = "saga-1",
       .value = "created",
       .timestamp_ms = 1'700'000'000'000,
       .headers = {{"ce_type", "OrderCreated"}, {"traceparent", "00-ab-01"}}},
      {.key = std::nullopt, .value = "no key", .timestamp_ms = 1'700'000'000'250, .headers = {}},
      {.key = "saga-1",
       .value = std::nullopt,
       .timestamp_ms = 1'699'999'999'000,
       .headers = {{"h", std::nullopt}}},
  };
}

class RecordTranslateTest : public ::testing::TestWithParam<Compression> {};

TEST_P(RecordTranslateTest, KafkaToChoreoAndBack) {
  const std::vector<RecordInput> records = SampleRecords();
  absl::StatusOr<std::string> kafka_batch = BuildBatch(
      {.compression = GetParam(), .producer_id = 7, .producer_epoch = 1, .base_sequence = 40},
      records);
  ASSERT_TRUE(kafka_batch.ok()) << kafka_batch.status();

  absl::StatusOr<ProducedBatch> produced = KafkaToChoreoBatch(*kafka_batch, {});
  ASSERT_TRUE(produced.ok()) << produced.status();
  proto::RecordBatch header;
  proto::RecordList list;
  std::string error;
  ASSERT_EQ(proto::DecodeBatch(produced->choreo_batch, &header, &list, &error), proto::NONE)
      << error;
  EXPECT_EQ(header.producer_id(), 7);
  EXPECT_EQ(header.producer_epoch(), 1);
  EXPECT_EQ(header.base_sequence(), 40);
  EXPECT_EQ(header.record_count(), 3u);
  ASSERT_EQ(list.records_size(), 3);
  EXPECT_EQ(list.records(0).key(), "saga-1");
  EXPECT_EQ(list.records(0).value(), "created");
  EXPECT_EQ(list.records(0).timestamp_ms(), 1'700'000'000'000);
  ASSERT_EQ(list.records(0).headers_size(), 2);
  EXPECT_EQ(list.records(0).headers(1).key(), "traceparent");
  EXPECT_EQ(list.records(0).headers(1).value(), "00-ab-01");
  EXPECT_EQ(list.records(1).key(), "");  // null becomes empty
  EXPECT_EQ(list.records(2).timestamp_ms(), 1'699'999'999'000);

  std::string fetched;
  ASSERT_TRUE(AppendChoreoBatchAsKafka(produced->choreo_batch, 100, &fetched).ok());
  std::string scratch;
  BatchHeader fetched_header;
  std::vector<RecordView> views;
  ASSERT_TRUE(DecodeRecords(fetched, {}, &scratch, &fetched_header, &views).ok());
  EXPECT_EQ(fetched_header.base_offset, 100);
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(*views[0].key, "saga-1");
  EXPECT_EQ(*views[0].value, "created");
  EXPECT_EQ(fetched_header.base_timestamp + views[0].timestamp_delta, 1'700'000'000'000);
  EXPECT_EQ(fetched_header.base_timestamp + views[1].timestamp_delta, 1'700'000'000'250);
  EXPECT_EQ(fetched_header.base_timestamp + views[2].timestamp_delta, 1'699'999'999'000);
  EXPECT_FALSE(views[1].key.has_value());  // an empty choreo key reads as null
  ASSERT_EQ(views[0].headers.size(), 2u);
  EXPECT_EQ(views[0].headers[0].key, "ce_type");
  EXPECT_EQ(*views[0].headers[0].value, "OrderCreated");
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordTranslateTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd));

TEST(RecordTranslateErrorsTest, CorruptAndControlBatchesAreRefused) {
  absl::StatusOr<std::string> batch = BuildBatch({}, SampleRecords());
  ASSERT_TRUE(batch.ok());
  std::string corrupt = *batch;
  corrupt.back() ^= 1;
  EXPECT_EQ(KafkaToChoreoBatch(corrupt, {}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(broker::KafkaBatchErrorCode(KafkaToChoreoBatch(corrupt, {}).status()),
            broker::kafka_error::kCorruptMessage);
  EXPECT_FALSE(KafkaToChoreoBatch(batch->substr(0, 40), {}).ok());
}

TEST(KafkaErrorCodeTest, MapsTheCodesClientsActOn) {
  using namespace broker::kafka_error;  // NOLINT(build/namespaces)
  EXPECT_EQ(broker::KafkaErrorCode(proto::NONE), kNone);
  EXPECT_EQ(broker::KafkaErrorCode(proto::UNKNOWN_TOPIC), kUnknownTopicOrPartition);
  EXPECT_EQ(broker::KafkaErrorCode(proto::INVALID_PARTITION), kUnknownTopicOrPartition);
  EXPECT_EQ(broker::KafkaErrorCode(proto::OFFSET_OUT_OF_RANGE), kOffsetOutOfRange);
  EXPECT_EQ(broker::KafkaErrorCode(proto::OUT_OF_ORDER_SEQUENCE), kOutOfOrderSequenceNumber);
  EXPECT_EQ(broker::KafkaErrorCode(proto::DUPLICATE_SEQUENCE), kDuplicateSequenceNumber);
  EXPECT_EQ(broker::KafkaErrorCode(proto::PRODUCER_FENCED), kInvalidProducerEpoch);
  EXPECT_EQ(broker::KafkaErrorCode(proto::UNKNOWN_PRODUCER_ID), kUnknownProducerId);
  EXPECT_EQ(broker::KafkaErrorCode(proto::STORAGE_ERROR), kKafkaStorageError);
  EXPECT_EQ(broker::KafkaErrorCode(proto::UNKNOWN), kUnknownServerError);
}

}  // namespace
}  // namespace choreo::kafka
