// Topic administration: create, delete, metadata.
#include <gtest/gtest.h>

#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

using TopicsTest = BrokerFixture;

proto::ErrorCode CreateResult(TestClient& client, const std::string& name, uint32_t partitions) {
  std::optional<proto::Response> response = client.Call(CreateTopicsRequest({name}, partitions));
  EXPECT_TRUE(response);
  if (!response || response->create_topics().results_size() != 1) return proto::UNKNOWN;
  EXPECT_EQ(response->create_topics().results(0).name(), name);
  return response->create_topics().results(0).error().code();
}

TEST_F(TopicsTest, CreateListAndDescribe) {
  auto client = Connect();
  std::optional<proto::Response> created =
      client->Call(CreateTopicsRequest({"orders", "payments"}, 3));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->create_topics().results_size(), 2);
  for (const auto& result : created->create_topics().results())
    EXPECT_EQ(result.error().code(), proto::NONE) << result.error().message();

  std::optional<proto::Response> metadata = client->Call(MetadataRequest());
  ASSERT_TRUE(metadata);
  ASSERT_EQ(metadata->metadata().topics_size(), 2);
  const proto::TopicMetadata& orders = metadata->metadata().topics(0);
  EXPECT_EQ(orders.name(), "orders");
  EXPECT_EQ(orders.error().code(), proto::NONE);
  EXPECT_EQ(orders.config().partitions(), 3u);
  ASSERT_EQ(orders.partitions_size(), 3);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(orders.partitions(p).partition(), static_cast<uint32_t>(p));
    EXPECT_EQ(orders.partitions(p).log_start_offset(), 0);
    EXPECT_EQ(orders.partitions(p).high_watermark(), 0);
  }
  EXPECT_EQ(metadata->metadata().topics(1).name(), "payments");
}

TEST_F(TopicsTest, UnsetPartitionCountUsesTheDefault) {
  auto client = Connect();
  EXPECT_EQ(CreateResult(*client, "events", 0), proto::NONE);
  std::optional<proto::Response> metadata = client->Call(MetadataRequest({"events"}));
  ASSERT_TRUE(metadata);
  ASSERT_EQ(metadata->metadata().topics_size(), 1);
  EXPECT_EQ(metadata->metadata().topics(0).partitions_size(), 1);
}

TEST_F(TopicsTest, DuplicateTopicIsRefused) {
  auto client = Connect();
  EXPECT_EQ(CreateResult(*client, "orders", 1), proto::NONE);
  EXPECT_EQ(CreateResult(*client, "orders", 1), proto::TOPIC_ALREADY_EXISTS);
}

TEST_F(TopicsTest, BadNamesAndConfigsAreInvalidTopic) {
  auto client = Connect();
  EXPECT_EQ(CreateResult(*client, "", 1), proto::INVALID_TOPIC);
  EXPECT_EQ(CreateResult(*client, "bad/name", 1), proto::INVALID_TOPIC);
  EXPECT_EQ(CreateResult(*client, std::string(300, 'a'), 1), proto::INVALID_TOPIC);
  EXPECT_EQ(CreateResult(*client, "too-many", storage::kMaxPartitions + 1), proto::INVALID_TOPIC);
}

TEST_F(TopicsTest, MetadataForUnknownTopicHasPerTopicError) {
  auto client = Connect();
  std::optional<proto::Response> metadata = client->Call(MetadataRequest({"nope"}));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->error().code(), proto::NONE);
  ASSERT_EQ(metadata->metadata().topics_size(), 1);
  EXPECT_EQ(metadata->metadata().topics(0).name(), "nope");
  EXPECT_EQ(metadata->metadata().topics(0).error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(TopicsTest, DeleteRemovesTopic) {
  auto client = Connect();
  CreateTopic(*client, "orders", 2);
  std::optional<proto::Response> deleted = client->Call(DeleteTopicsRequest({"orders", "nope"}));
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->delete_topics().results_size(), 2);
  EXPECT_EQ(deleted->delete_topics().results(0).name(), "orders");
  EXPECT_EQ(deleted->delete_topics().results(0).error().code(), proto::NONE);
  EXPECT_EQ(deleted->delete_topics().results(1).error().code(), proto::UNKNOWN_TOPIC);

  std::optional<proto::Response> metadata = client->Call(MetadataRequest());
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->metadata().topics_size(), 0);
  std::optional<proto::Response> produce = client->Call(ProduceRequest("orders", 0, MakeBatch(1)));
  ASSERT_TRUE(produce);
  EXPECT_EQ(produce->error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(TopicsTest, TopicsSurviveRestart) {
  {
    auto client = Connect();
    CreateTopic(*client, "orders", 2);
    ASSERT_TRUE(client->Call(ProduceRequest("orders", 1, MakeBatch(2))));
  }
  StartBroker(DefaultOptions());
  auto client = Connect();
  std::optional<proto::Response> metadata = client->Call(MetadataRequest({"orders"}));
  ASSERT_TRUE(metadata);
  ASSERT_EQ(metadata->metadata().topics_size(), 1);
  ASSERT_EQ(metadata->metadata().topics(0).partitions_size(), 2);
  EXPECT_EQ(metadata->metadata().topics(0).partitions(1).high_watermark(), 2);
  std::optional<proto::Response> produce = client->Call(ProduceRequest("orders", 1, MakeBatch(1)));
  ASSERT_TRUE(produce);
  EXPECT_EQ(produce->produce().base_offset(), 2);
}

}  // namespace
}  // namespace choreo::broker::testing
