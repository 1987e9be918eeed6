// Produce and fetch, including every produce/fetch error a client can provoke.
#include <gtest/gtest.h>

#include <map>

#include "choreo/proto/batch.h"
#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

class ProduceFetchTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    client_ = Connect();
    CreateTopic(*client_, "orders", 2);
  }

  void TearDown() override {
    client_.reset();  // disconnect first, as a client would, so shutdown does not wait for it
    BrokerFixture::TearDown();
  }

  proto::Response Produce(const std::string& topic, uint32_t partition, std::string batch) {
    std::optional<proto::Response> response =
        client_->Call(ProduceRequest(topic, partition, std::move(batch)));
    EXPECT_TRUE(response);
    return response.value_or(proto::Response());
  }

  proto::FetchPartitionResponse Fetch(proto::Request request) {
    std::optional<proto::Response> response = client_->Call(std::move(request));
    EXPECT_TRUE(response);
    if (!response || response->fetch().partitions_size() != 1) return {};
    return response->fetch().partitions(0);
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(ProduceFetchTest, ProducedBatchesAreFetchedWithTheirOffsets) {
  proto::Response first = Produce("orders", 0, MakeBatch(3, "a"));
  EXPECT_EQ(first.error().code(), proto::NONE) << first.error().message();
  EXPECT_EQ(first.produce().topic(), "orders");
  EXPECT_EQ(first.produce().base_offset(), 0);
  proto::Response second = Produce("orders", 0, MakeBatch(2, "b"));
  EXPECT_EQ(second.produce().base_offset(), 3);

  proto::FetchPartitionResponse fetched = Fetch(FetchRequest("orders", 0, 0));
  EXPECT_EQ(fetched.error().code(), proto::NONE);
  EXPECT_EQ(fetched.high_watermark(), 5);
  EXPECT_EQ(fetched.log_start_offset(), 0);
  ASSERT_EQ(fetched.batches_size(), 2);
  EXPECT_EQ(fetched.batches(0).base_offset(), 0);
  EXPECT_EQ(BatchValues(fetched.batches(0).batch()), (std::vector<std::string>{"a0", "a1", "a2"}));
  EXPECT_EQ(fetched.batches(1).base_offset(), 3);
  EXPECT_EQ(BatchValues(fetched.batches(1).batch()), (std::vector<std::string>{"b0", "b1"}));

  // Partitions are independent logs.
  EXPECT_EQ(Produce("orders", 1, MakeBatch(1)).produce().base_offset(), 0);
}

TEST_F(ProduceFetchTest, FetchFromTheMiddleOfABatchReturnsTheWholeBatch) {
  Produce("orders", 0, MakeBatch(3, "a"));
  Produce("orders", 0, MakeBatch(3, "b"));
  proto::FetchPartitionResponse fetched = Fetch(FetchRequest("orders", 0, 4));
  EXPECT_EQ(fetched.error().code(), proto::NONE);
  ASSERT_GE(fetched.batches_size(), 1);
  EXPECT_EQ(fetched.batches(0).base_offset(), 3);  // the batch holding offset 4
  EXPECT_EQ(BatchValues(fetched.batches(0).batch()).size(), 3u);
}

TEST_F(ProduceFetchTest, FetchAtTheEndReturnsNothing) {
  Produce("orders", 0, MakeBatch(2));
  proto::FetchPartitionResponse fetched = Fetch(FetchRequest("orders", 0, 2));
  EXPECT_EQ(fetched.error().code(), proto::NONE);
  EXPECT_EQ(fetched.batches_size(), 0);
  EXPECT_EQ(fetched.high_watermark(), 2);
}

TEST_F(ProduceFetchTest, FetchBeyondTheEndIsOutOfRange) {
  Produce("orders", 0, MakeBatch(2));
  proto::FetchPartitionResponse fetched = Fetch(FetchRequest("orders", 0, 100));
  EXPECT_EQ(fetched.error().code(), proto::OFFSET_OUT_OF_RANGE);
  EXPECT_EQ(fetched.high_watermark(), 2);  // so the consumer can reset
  EXPECT_EQ(Fetch(FetchRequest("orders", 0, -1)).error().code(), proto::OFFSET_OUT_OF_RANGE);
}

TEST_F(ProduceFetchTest, FetchMaxBytesLimitsTheResponseButReturnsOneBatch) {
  const std::string batch = MakeBatch(10);
  for (int i = 0; i < 4; ++i)
    Produce("orders", 0, batch);
  proto::Request request = FetchRequest("orders", 0, 0);
  request.mutable_fetch()->set_max_bytes(1);  // smaller than any batch
  EXPECT_EQ(Fetch(request).batches_size(), 1);
  request.mutable_fetch()->set_max_bytes(2 * batch.size());
  EXPECT_EQ(Fetch(request).batches_size(), 2);
  request.mutable_fetch()->set_max_bytes(0);  // unset: the broker's cap
  request.mutable_fetch()->mutable_partitions(0)->set_max_bytes(batch.size() + 1);
  EXPECT_EQ(Fetch(request).batches_size(), 1);
}

TEST_F(ProduceFetchTest, FetchErrorsArePerPartition) {
  Produce("orders", 0, MakeBatch(1));
  proto::Request request = FetchRequest("orders", 0, 0);
  auto* unknown = request.mutable_fetch()->add_partitions();
  unknown->set_topic("nope");
  auto* invalid = request.mutable_fetch()->add_partitions();
  invalid->set_topic("orders");
  invalid->set_partition(7);
  std::optional<proto::Response> response = client_->Call(request);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->fetch().partitions_size(), 3);
  EXPECT_EQ(response->fetch().partitions(0).error().code(), proto::NONE);
  EXPECT_EQ(response->fetch().partitions(0).batches_size(), 1);
  EXPECT_EQ(response->fetch().partitions(1).error().code(), proto::UNKNOWN_TOPIC);
  EXPECT_EQ(response->fetch().partitions(2).error().code(), proto::INVALID_PARTITION);
}

TEST_F(ProduceFetchTest, PipelinedProducesAreAppendedInRequestOrder) {
  constexpr int kRequests = 20;
  std::map<uint64_t, int> index_of;
  for (int i = 0; i < kRequests; ++i)
    index_of[client_->Send(ProduceRequest("orders", 0, MakeBatch(2)))] = i;
  for (int i = 0; i < kRequests; ++i) {
    std::optional<proto::Response> response = client_->Receive();
    ASSERT_TRUE(response);
    ASSERT_EQ(response->error().code(), proto::NONE);
    // The i-th request sent got offsets 2i and 2i+1.
    EXPECT_EQ(response->produce().base_offset(), 2 * index_of.at(response->correlation_id()));
  }
}

TEST_F(ProduceFetchTest, ProduceWithUnallocatedProducerIdIsRefused) {
  proto::RecordList records;
  records.add_records()->set_value("v");
  std::string batch;
  ASSERT_TRUE(proto::EncodeBatch(records, proto::COMPRESSION_NONE,
                                 {.producer_id = 12345, .producer_epoch = 0, .base_sequence = 0},
                                 &batch));
  EXPECT_EQ(Produce("orders", 0, batch).error().code(), proto::UNKNOWN_PRODUCER_ID);
}

TEST_F(ProduceFetchTest, ProduceToUnknownTopic) {
  EXPECT_EQ(Produce("nope", 0, MakeBatch(1)).error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(ProduceFetchTest, ProduceToInvalidPartition) {
  EXPECT_EQ(Produce("orders", 2, MakeBatch(1)).error().code(), proto::INVALID_PARTITION);
}

TEST_F(ProduceFetchTest, ProduceCorruptBatch) {
  proto::RecordBatch batch;
  ASSERT_TRUE(batch.ParseFromString(MakeBatch(2)));
  batch.set_crc32c(batch.crc32c() ^ 1);
  proto::Response response = Produce("orders", 0, batch.SerializeAsString());
  EXPECT_EQ(response.error().code(), proto::CORRUPT_MESSAGE);
  EXPECT_EQ(Produce("orders", 0, "not a batch \xff\xff").error().code(), proto::CORRUPT_MESSAGE);
  // Nothing was appended.
  EXPECT_EQ(Fetch(FetchRequest("orders", 0, 0)).high_watermark(), 0);
}

TEST_F(ProduceFetchTest, ProduceOversizeBatch) {
  // The broker limit in these tests is 64 KiB.
  proto::Response response = Produce("orders", 0, MakeBatch(1, std::string(70 << 10, 'x')));
  EXPECT_EQ(response.error().code(), proto::MESSAGE_TOO_LARGE);
  // The connection is still usable.
  EXPECT_EQ(Produce("orders", 0, MakeBatch(1)).error().code(), proto::NONE);
}

TEST_F(ProduceFetchTest, TopicMaxMessageBytesLowersTheLimit) {
  proto::Request create = CreateTopicsRequest({"small"}, 1);
  create.mutable_create_topics()->mutable_topics(0)->mutable_config()->set_max_message_bytes(100);
  ASSERT_TRUE(client_->Call(create));
  EXPECT_EQ(Produce("small", 0, MakeBatch(1, std::string(200, 'x'))).error().code(),
            proto::MESSAGE_TOO_LARGE);
  EXPECT_EQ(Produce("small", 0, MakeBatch(1)).error().code(), proto::NONE);
}

}  // namespace
}  // namespace choreo::broker::testing
