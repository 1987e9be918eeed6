// Topic configuration through the protocol: AlterTopic (partitions grow, never shrink; retention
// and max message bytes change), durability across restarts, broker defaults, auto-creation; and
// the data directory lock.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"

namespace choreo::broker::testing {
namespace {

using TopicConfigTest = BrokerFixture;

proto::TopicMetadata Describe(TestClient& client, const std::string& topic) {
  std::optional<proto::Response> response = client.Call(MetadataRequest({topic}));
  EXPECT_TRUE(response);
  return response ? response->metadata().topics(0) : proto::TopicMetadata();
}

TEST_F(TopicConfigTest, AlterGrowsPartitionsAndChangesSettingsDurably) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  std::optional<proto::Response> altered =
      client->Call(AlterTopicRequest("orders", Config(3, 86'400'000, 1 << 20, 4096)));
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->error().code(), proto::NONE) << altered->error().message();
  const proto::TopicMetadata& answer = altered->alter_topic().topic();
  EXPECT_EQ(answer.config().partitions(), 3u);
  EXPECT_EQ(answer.partitions_size(), 3);
  EXPECT_EQ(answer.config().retention_ms(), 86'400'000);
  EXPECT_EQ(answer.config().retention_bytes(), 1 << 20);
  EXPECT_EQ(answer.config().max_message_bytes(), 4096u);

  // The new partition takes records at once; the lower max message bytes applies.
  EXPECT_EQ(client->Call(ProduceRequest("orders", 2, MakeBatch(1)))->error().code(), proto::NONE);
  EXPECT_EQ(client->Call(ProduceRequest("orders", 0, MakeBatch(1, std::string(5000, 'x'))))
                ->error()
                .code(),
            proto::MESSAGE_TOO_LARGE);

  // Fields left at 0 keep their value.
  altered = client->Call(AlterTopicRequest("orders", Config(0, 0, -1)));
  ASSERT_EQ(altered->error().code(), proto::NONE);
  EXPECT_EQ(altered->alter_topic().topic().config().retention_ms(), 86'400'000);
  EXPECT_EQ(altered->alter_topic().topic().config().retention_bytes(), -1);

  client.reset();
  StartBroker(DefaultOptions());
  client = Connect();
  const proto::TopicMetadata after = Describe(*client, "orders");
  EXPECT_EQ(after.config().partitions(), 3u);
  EXPECT_EQ(after.config().retention_ms(), 86'400'000);
  EXPECT_EQ(after.config().retention_bytes(), -1);
  EXPECT_EQ(after.config().max_message_bytes(), 4096u);
  EXPECT_EQ(after.partitions(2).high_watermark(), 1);
}

TEST_F(TopicConfigTest, PartitionsNeverShrinkAndUnknownTopicsAreRefused) {
  auto client = Connect();
  CreateTopic(*client, "orders", 3);
  std::optional<proto::Response> shrink = client->Call(AlterTopicRequest("orders", Config(2)));
  ASSERT_TRUE(shrink);
  EXPECT_EQ(shrink->error().code(), proto::INVALID_TOPIC);
  EXPECT_EQ(Describe(*client, "orders").config().partitions(), 3u);
  std::optional<proto::Response> unknown = client->Call(AlterTopicRequest("nope", Config(2)));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(TopicConfigTest, BrokerDefaultsApplyToTopicsCreatedWithout) {
  BrokerOptions options = DefaultOptions();
  options.default_partitions = 4;
  options.default_retention_ms = 3'600'000;
  options.default_retention_bytes = 1 << 30;
  StartBroker(options);
  auto client = Connect();
  ASSERT_EQ(client->Call(CreateTopicRequest("defaults", Config(0)))
                ->create_topics()
                .results(0)
                .error()
                .code(),
            proto::NONE);
  const proto::TopicMetadata topic = Describe(*client, "defaults");
  EXPECT_EQ(topic.config().partitions(), 4u);
  EXPECT_EQ(topic.config().retention_ms(), 3'600'000);
  EXPECT_EQ(topic.config().retention_bytes(), 1 << 30);
}

TEST_F(TopicConfigTest, AutoCreationIsOffByDefault) {
  auto client = Connect();
  EXPECT_EQ(client->Call(ProduceRequest("auto", 0, MakeBatch(1)))->error().code(),
            proto::UNKNOWN_TOPIC);
  EXPECT_EQ(Describe(*client, "auto").error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(TopicConfigTest, AutoCreationOnProduceAndMetadata) {
  BrokerOptions options = DefaultOptions();
  options.auto_create_topics = true;
  options.default_partitions = 2;
  StartBroker(options);
  auto client = Connect();
  std::optional<proto::Response> produced = client->Call(ProduceRequest("auto", 1, MakeBatch(3)));
  ASSERT_TRUE(produced);
  EXPECT_EQ(produced->error().code(), proto::NONE) << produced->error().message();
  EXPECT_EQ(Describe(*client, "auto").config().partitions(), 2u);
  // A producer asks for metadata first: that creates the topic too.
  EXPECT_EQ(Describe(*client, "auto2").partitions_size(), 2);
  // A name that cannot be a topic is still unknown.
  EXPECT_EQ(client->Call(ProduceRequest("bad/name", 0, MakeBatch(1)))->error().code(),
            proto::UNKNOWN_TOPIC);
}

TEST_F(TopicConfigTest, SecondBrokerOnTheSameDataDirectoryFailsWithAClearMessage) {
  absl::StatusOr<std::unique_ptr<Broker>> second = Broker::Start(DefaultOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(), "data directory " + data_dir_ +
                                           " is in use by another choreod (pid " +
                                           std::to_string(::getpid()) + ")");
  // The first broker is unaffected, and the lock is released when it shuts down.
  auto client = Connect();
  CreateTopic(*client, "still-serving", 1);
  client.reset();
  ASSERT_TRUE(broker_->Shutdown().ok());
  absl::StatusOr<std::unique_ptr<Broker>> third = Broker::Start(DefaultOptions());
  EXPECT_TRUE(third.ok()) << third.status();
}

}  // namespace
}  // namespace choreo::broker::testing
