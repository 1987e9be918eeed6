// The idempotent-producer protocol through the broker: InitProducer, then sequence-checked
// produces (the sequence rules themselves are tested in tests/storage).
#include <gtest/gtest.h>

#include "choreo/proto/batch.h"
#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

class IdempotentProduceTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    client_ = Connect();
    CreateTopic(*client_, "payments", 1);
  }
  void TearDown() override {
    client_.reset();
    BrokerFixture::TearDown();
  }

  proto::InitProducerResponse Init(int64_t id = -1, int32_t epoch = 0, bool bump = false) {
    proto::Request request;
    request.mutable_init_producer()->set_producer_id(id);
    request.mutable_init_producer()->set_producer_epoch(epoch);
    request.mutable_init_producer()->set_bump_epoch(bump);
    std::optional<proto::Response> response = client_->Call(std::move(request));
    EXPECT_TRUE(response);
    EXPECT_EQ(response->error().code(), proto::NONE) << response->error().message();
    return response->init_producer();
  }

  proto::Response Produce(const proto::InitProducerResponse& producer, int32_t sequence,
                          int count) {
    proto::RecordList records;
    for (int i = 0; i < count; ++i)
      records.add_records()->set_value("p" + std::to_string(sequence + i));
    std::string batch;
    EXPECT_TRUE(proto::EncodeBatch(records, proto::COMPRESSION_NONE,
                                   {.producer_id = producer.producer_id(),
                                    .producer_epoch = producer.producer_epoch(),
                                    .base_sequence = sequence},
                                   &batch));
    std::optional<proto::Response> response =
        client_->Call(ProduceRequest("payments", 0, std::move(batch)));
    EXPECT_TRUE(response);
    return response.value_or(proto::Response());
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(IdempotentProduceTest, RetriedBatchIsAnsweredWithItsOriginalOffset) {
  const proto::InitProducerResponse producer = Init();
  EXPECT_GE(producer.producer_id(), 0);
  EXPECT_EQ(Produce(producer, 0, 3).produce().base_offset(), 0);
  EXPECT_EQ(Produce(producer, 3, 2).produce().base_offset(), 3);

  proto::Response retry = Produce(producer, 0, 3);
  EXPECT_EQ(retry.error().code(), proto::NONE) << retry.error().message();
  EXPECT_EQ(retry.produce().base_offset(), 0);
  EXPECT_TRUE(retry.produce().duplicate());

  std::optional<proto::Response> fetched = client_->Call(FetchRequest("payments", 0, 0));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->fetch().partitions(0).high_watermark(), 5) << "the retry was not appended";
}

TEST_F(IdempotentProduceTest, GapIsOutOfOrderAndOldEpochIsFenced) {
  const proto::InitProducerResponse producer = Init();
  EXPECT_EQ(Produce(producer, 0, 1).error().code(), proto::NONE);
  EXPECT_EQ(Produce(producer, 5, 1).error().code(), proto::OUT_OF_ORDER_SEQUENCE);

  const proto::InitProducerResponse bumped =
      Init(producer.producer_id(), producer.producer_epoch(), true);
  EXPECT_EQ(bumped.producer_id(), producer.producer_id());
  EXPECT_EQ(bumped.producer_epoch(), producer.producer_epoch() + 1);
  EXPECT_EQ(Produce(producer, 1, 1).error().code(), proto::PRODUCER_FENCED);
  EXPECT_EQ(Produce(bumped, 0, 1).error().code(), proto::NONE);
}

TEST_F(IdempotentProduceTest, DistinctProducersGetDistinctIds) {
  EXPECT_NE(Init().producer_id(), Init().producer_id());
}

TEST_F(IdempotentProduceTest, UnknownProducerIdIsRejected) {
  proto::InitProducerResponse forged;
  forged.set_producer_id(987654);
  forged.set_producer_epoch(0);
  EXPECT_EQ(Produce(forged, 0, 1).error().code(), proto::UNKNOWN_PRODUCER_ID);
}

}  // namespace
}  // namespace choreo::broker::testing
