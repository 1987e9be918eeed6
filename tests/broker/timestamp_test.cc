// Batch timestamps against the broker's clock (issue 14, item 4): a create-time topic refuses a
// batch too far in the future (--max-timestamp-skew-ms) with INVALID_TIMESTAMP, so one producer's
// clock cannot stall time retention or mislead seek-by-time; a log-append-time topic
// (TopicConfig.timestamp_type) has every batch stamped with the broker's clock instead, which
// consumers, retention and ListOffsets then use.
#include <gtest/gtest.h>

#include <string>

#include "choreo/proto/batch.h"
#include "choreo/proto/record_wire.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"

namespace choreo::broker::testing {
namespace {

constexpr int64_t kHourMs = 3'600'000;

proto::TopicConfig LogAppendTime(proto::TopicConfig config) {
  config.set_timestamp_type(proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);
  return config;
}

class TimestampTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    BrokerOptions options = DefaultOptions();
    options.retention_check_interval = absl::Milliseconds(20);
    options.store.retention_min_trim_bytes = 0;
    StartBroker(options);
    client_ = Connect();
  }

  void TearDown() override {
    client_.reset();
    BrokerFixture::TearDown();
  }

  void Create(const std::string& topic, const proto::TopicConfig& config) {
    std::optional<proto::Response> response = client_->Call(CreateTopicRequest(topic, config));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->create_topics().results(0).error().code(), proto::NONE)
        << response->create_topics().results(0).error().message();
  }

  proto::Response Produce(const std::string& topic, std::string batch) {
    std::optional<proto::Response> response = client_->Call(ProduceRequest(topic, 0, batch));
    EXPECT_TRUE(response);
    return response.value_or(proto::Response());
  }

  std::pair<int64_t, int64_t> Offsets(const std::string& topic) {
    std::optional<proto::Response> response = client_->Call(MetadataRequest({topic}));
    if (!response || response->metadata().topics(0).partitions_size() == 0) return {-1, -1};
    const proto::PartitionMetadata& p = response->metadata().topics(0).partitions(0);
    return {p.log_start_offset(), p.high_watermark()};
  }

  int64_t OffsetForTime(const std::string& topic, int64_t timestamp_ms) {
    std::optional<proto::Response> response = client_->Call(
        ListOffsetsRequest(topic, 0, proto::ListOffsetsRequest::TIMESTAMP, timestamp_ms));
    if (!response || response->list_offsets().partitions_size() != 1) return -2;
    return response->list_offsets().partitions(0).offset();
  }

  proto::BatchView FetchedHeader(const std::string& topic, int64_t offset) {
    std::optional<proto::Response> response = client_->Call(FetchRequest(topic, 0, offset));
    proto::BatchView view;
    if (!response || response->fetch().partitions(0).batches_size() == 0) return view;
    const std::string& bytes = response->fetch().partitions(0).batches(0).batch();
    std::string scratch, error;
    std::string_view payload;
    // The stamped bytes still pass the consumer's checks (CRC of the unchanged payload).
    EXPECT_EQ(proto::OpenBatch(bytes, &view, &scratch, &payload, &error), proto::NONE) << error;
    return view;
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(TimestampTest, ABatchTooFarInTheFutureIsRefusedWithAClearError) {
  Create("orders", Config(1));
  proto::Response refused = Produce("orders", MakeBatch(2, "f", NowMs() + 2 * kHourMs));
  EXPECT_EQ(refused.error().code(), proto::INVALID_TIMESTAMP);
  const std::string& message = refused.error().message();
  EXPECT_NE(message.find("ms ahead of the broker's clock"), std::string::npos) << message;
  EXPECT_NE(message.find("accepts at most 3600000 ms"), std::string::npos) << message;
  EXPECT_EQ(Offsets("orders").second, 0);  // nothing appended

  // Within the skew, and in the past (however far), is accepted.
  EXPECT_EQ(Produce("orders", MakeBatch(1, "s", NowMs() + 10 * 60'000)).error().code(),
            proto::NONE);
  EXPECT_EQ(Produce("orders", MakeBatch(1, "p", 1000)).error().code(), proto::NONE);
  EXPECT_EQ(Offsets("orders").second, 2);
}

TEST_F(TimestampTest, AFarFutureRecordNoLongerHoldsBackTimeRetention) {
  // Retention drops a prefix of batches older than the cutoff: a batch dated next year in the
  // middle would keep itself and everything after it for a year. It is refused instead.
  Create("events", Config(1, /*retention_ms=*/60'000));
  const int64_t hour_ago = NowMs() - kHourMs;
  ASSERT_EQ(Produce("events", MakeBatch(2, "old", hour_ago)).error().code(), proto::NONE);
  EXPECT_EQ(Produce("events", MakeBatch(1, "future", NowMs() + 365 * 24 * kHourMs)).error().code(),
            proto::INVALID_TIMESTAMP);
  ASSERT_EQ(Produce("events", MakeBatch(2, "old", hour_ago + 10)).error().code(), proto::NONE);
  ASSERT_EQ(Produce("events", MakeBatch(1, "new", NowMs())).error().code(), proto::NONE);
  EXPECT_TRUE(WaitUntil([&] { return Offsets("events").first == 4; })) << Offsets("events").first;
}

TEST_F(TimestampTest, LogAppendTimeStampsEveryBatchWithTheBrokersClock) {
  Create("stamped", LogAppendTime(Config(1)));
  std::optional<proto::Response> described = client_->Call(MetadataRequest({"stamped"}));
  ASSERT_TRUE(described);
  EXPECT_EQ(described->metadata().topics(0).config().timestamp_type(),
            proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);

  const int64_t before = NowMs();
  // A producer clock a day ahead is not refused on such a topic: it is overruled.
  proto::Response produced = Produce("stamped", MakeBatch(3, "a", before + 24 * kHourMs));
  const int64_t after = NowMs();
  ASSERT_EQ(produced.error().code(), proto::NONE) << produced.error().message();
  const int64_t stamp = produced.produce().log_append_time_ms();
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, after);

  proto::BatchView header = FetchedHeader("stamped", 0);
  EXPECT_EQ(header.log_append_time_ms, stamp);
  EXPECT_EQ(header.first_timestamp_ms, stamp);
  EXPECT_EQ(header.max_timestamp_ms, stamp);
  // Decoded as a whole, the batch says the same.
  std::optional<proto::Response> fetched = client_->Call(FetchRequest("stamped", 0, 0));
  ASSERT_TRUE(fetched);
  proto::RecordBatch decoded;
  proto::RecordList records;
  std::string error;
  ASSERT_EQ(proto::DecodeBatch(fetched->fetch().partitions(0).batches(0).batch(), &decoded,
                               &records, &error),
            proto::NONE)
      << error;
  EXPECT_EQ(decoded.log_append_time_ms(), stamp);
  EXPECT_EQ(decoded.max_timestamp_ms(), stamp);
  EXPECT_EQ(records.records_size(), 3);
}

TEST_F(TimestampTest, SeekByTimeOnALogAppendTimeTopicFollowsTheBrokersClock) {
  Create("stamped", LogAppendTime(Config(1)));
  // The first batch claims a time a day ahead; the second one a time long past.
  proto::Response first = Produce("stamped", MakeBatch(2, "a", NowMs() + 24 * kHourMs));
  ASSERT_EQ(first.error().code(), proto::NONE);
  const int64_t first_stamp = first.produce().log_append_time_ms();
  ASSERT_TRUE(WaitUntil([&] { return NowMs() > first_stamp; }));
  proto::Response second = Produce("stamped", MakeBatch(2, "b", 1000));
  ASSERT_EQ(second.error().code(), proto::NONE);
  ASSERT_GT(second.produce().log_append_time_ms(), first_stamp);

  EXPECT_EQ(OffsetForTime("stamped", first_stamp - 1), 0);
  EXPECT_EQ(OffsetForTime("stamped", first_stamp), 0);
  // With the producers' clocks this would be offset 0 (the batch dated tomorrow).
  EXPECT_EQ(OffsetForTime("stamped", first_stamp + 1), 2);
  EXPECT_EQ(OffsetForTime("stamped", NowMs() + kHourMs), -1);
}

TEST_F(TimestampTest, LogAppendTimeRetentionIgnoresTheProducersClock) {
  // Dated a day ahead by its producer, stamped now by the broker: retention drops it on time.
  Create("stamped", LogAppendTime(Config(1, /*retention_ms=*/200)));
  ASSERT_EQ(Produce("stamped", MakeBatch(2, "a", NowMs() + 24 * kHourMs)).error().code(),
            proto::NONE);
  EXPECT_TRUE(WaitUntil([&] { return Offsets("stamped").first == 2; })) << Offsets("stamped").first;
}

TEST_F(TimestampTest, TheTimestampTypeCanBeAlteredAndSurvivesARestart) {
  Create("orders", Config(1));
  std::optional<proto::Response> altered =
      client_->Call(AlterTopicRequest("orders", LogAppendTime(proto::TopicConfig())));
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->error().code(), proto::NONE) << altered->error().message();
  EXPECT_EQ(altered->alter_topic().topic().config().timestamp_type(),
            proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);
  EXPECT_GT(Produce("orders", MakeBatch(1, "a", 1000)).produce().log_append_time_ms(), 0);

  client_.reset();
  BrokerOptions options = DefaultOptions();
  StartBroker(options);
  client_ = Connect();
  std::optional<proto::Response> described = client_->Call(MetadataRequest({"orders"}));
  ASSERT_TRUE(described);
  EXPECT_EQ(described->metadata().topics(0).config().timestamp_type(),
            proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);
  // Back to create time: the producer's timestamps are kept (and the skew checked) again.
  proto::TopicConfig create_time;
  create_time.set_timestamp_type(proto::TIMESTAMP_TYPE_CREATE_TIME);
  ASSERT_TRUE(client_->Call(AlterTopicRequest("orders", create_time)));
  proto::Response kept = Produce("orders", MakeBatch(1, "b", 1000));
  EXPECT_EQ(kept.produce().log_append_time_ms(), -1);
  EXPECT_EQ(FetchedHeader("orders", 1).max_timestamp_ms, 1000);
}

class UnboundedSkewTest : public BrokerFixture {};

TEST_F(UnboundedSkewTest, MinusOneAcceptsAnyTimestamp) {
  BrokerOptions options = DefaultOptions();
  options.max_timestamp_skew_ms = -1;
  StartBroker(options);
  std::unique_ptr<TestClient> client = Connect();
  CreateTopic(*client, "orders", 1);
  std::optional<proto::Response> produced =
      client->Call(ProduceRequest("orders", 0, MakeBatch(1, "f", NowMs() + 365 * 24 * kHourMs)));
  ASSERT_TRUE(produced);
  EXPECT_EQ(produced->error().code(), proto::NONE) << produced->error().message();
}

}  // namespace
}  // namespace choreo::broker::testing
