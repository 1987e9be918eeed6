#include <gtest/gtest.h>

#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

class ListOffsetsTest : public BrokerFixture {
 protected:
  proto::ListOffsetsResponse::Partition List(TestClient& client, const std::string& topic,
                                             proto::ListOffsetsRequest::Spec spec,
                                             int64_t timestamp_ms = 0) {
    std::optional<proto::Response> response =
        client.Call(ListOffsetsRequest(topic, 0, spec, timestamp_ms));
    EXPECT_TRUE(response);
    if (!response || response->list_offsets().partitions_size() != 1) return {};
    return response->list_offsets().partitions(0);
  }
};

TEST_F(ListOffsetsTest, EarliestLatestAndByTimestamp) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  EXPECT_EQ(List(*client, "orders", proto::ListOffsetsRequest::LATEST).offset(), 0);
  // Timestamps 1000..1002, then 2000..2001.
  ASSERT_TRUE(client->Call(ProduceRequest("orders", 0, MakeBatch(3, "a", 1000))));
  ASSERT_TRUE(client->Call(ProduceRequest("orders", 0, MakeBatch(2, "b", 2000))));

  EXPECT_EQ(List(*client, "orders", proto::ListOffsetsRequest::EARLIEST).offset(), 0);
  auto latest = List(*client, "orders", proto::ListOffsetsRequest::LATEST);
  EXPECT_EQ(latest.error().code(), proto::NONE);
  EXPECT_EQ(latest.offset(), 5);
  EXPECT_EQ(List(*client, "orders", proto::ListOffsetsRequest::TIMESTAMP, 0).offset(), 0);
  EXPECT_EQ(List(*client, "orders", proto::ListOffsetsRequest::TIMESTAMP, 1500).offset(), 3);
  EXPECT_EQ(List(*client, "orders", proto::ListOffsetsRequest::TIMESTAMP, 99999).offset(), -1);
}

TEST_F(ListOffsetsTest, UnknownTopicAndPartition) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  EXPECT_EQ(List(*client, "nope", proto::ListOffsetsRequest::LATEST).error().code(),
            proto::UNKNOWN_TOPIC);
  std::optional<proto::Response> response =
      client->Call(ListOffsetsRequest("orders", 5, proto::ListOffsetsRequest::EARLIEST));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->list_offsets().partitions_size(), 1);
  EXPECT_EQ(response->list_offsets().partitions(0).error().code(), proto::INVALID_PARTITION);
}

}  // namespace
}  // namespace choreo::broker::testing
