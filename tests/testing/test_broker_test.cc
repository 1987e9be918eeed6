// choreo::testing::TestBroker: what a user's test relies on.
#include "choreo/testing/test_broker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/producer.h"

namespace choreo::testing {
namespace {

std::unique_ptr<TestBroker> StartOrFail(const TestBrokerOptions& options = {}) {
  Result<std::unique_ptr<TestBroker>> broker = TestBroker::Start(options);
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  return broker.ok() ? std::move(broker).value() : nullptr;
}

// Sends `values` to `topic` (key = value, so they spread over partitions) and waits for the acks.
void Produce(const TestBroker& broker, const std::string& topic,
             const std::vector<std::string>& values) {
  Result<std::unique_ptr<Producer>> producer =
      Producer::Create(ProducerOptions{.client = broker.client_options()});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::future<Result<RecordMetadata>>> sent;
  for (const std::string& value : values)
    sent.push_back((*producer)->Send(
        topic, Record{.key = value, .value = value, .headers = {}, .timestamp_ms = 0}));
  for (auto& f : sent) {
    Result<RecordMetadata> ack = f.get();
    EXPECT_TRUE(ack.ok()) << ack.status().ToString();
  }
  EXPECT_TRUE((*producer)->Close(std::chrono::seconds(10)).ok());
}

std::vector<std::string> Values(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> values;
  for (const ConsumedRecord& r : records)
    values.push_back(r.record.value);
  return values;
}

TEST(TestBrokerTest, ProduceThenReadAllInPartitionAndOffsetOrder) {
  std::unique_ptr<TestBroker> broker = StartOrFail();
  ASSERT_NE(broker, nullptr);
  EXPECT_EQ(broker->address(), "127.0.0.1:" + std::to_string(broker->port()));
  EXPECT_EQ(broker->client_options().broker, broker->address());
  ASSERT_TRUE(broker->CreateTopic("orders", 3).ok());

  std::vector<std::string> values;
  for (int i = 0; i < 30; ++i)
    values.push_back("order-" + std::to_string(i));
  Produce(*broker, "orders", values);

  Result<std::vector<ConsumedRecord>> all = broker->ReadAll("orders");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), values.size());
  for (size_t i = 1; i < all->size(); ++i) {
    const ConsumedRecord& a = (*all)[i - 1];
    const ConsumedRecord& b = (*all)[i];
    EXPECT_TRUE(a.partition < b.partition || (a.partition == b.partition && a.offset < b.offset))
        << "record " << i << " out of order";
  }
  std::vector<std::string> read = Values(*all);
  std::sort(read.begin(), read.end());
  std::sort(values.begin(), values.end());
  EXPECT_EQ(read, values);
}

TEST(TestBrokerTest, ReadAllOfAnEmptyOrUnknownTopic) {
  TestBrokerOptions options;
  options.auto_create_topics = false;
  std::unique_ptr<TestBroker> broker = StartOrFail(options);
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic("empty", 2).ok());
  Result<std::vector<ConsumedRecord>> empty = broker->ReadAll("empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(broker->ReadAll("nope").status().code(), ErrorCode::kUnknownTopic);
  EXPECT_EQ(broker->CreateTopic("empty", 2).code(), ErrorCode::kTopicAlreadyExists);
}

TEST(TestBrokerTest, AutoCreatesTopicsByDefault) {
  std::unique_ptr<TestBroker> broker = StartOrFail();
  ASSERT_NE(broker, nullptr);
  Produce(*broker, "created-on-produce", {"a", "b"});
  Result<std::vector<ConsumedRecord>> all = broker->ReadAll("created-on-produce");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 2u);
}

TEST(TestBrokerTest, TwoInstancesCoexistAndAreIndependent) {
  std::unique_ptr<TestBroker> first = StartOrFail();
  std::unique_ptr<TestBroker> second = StartOrFail();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->port(), second->port());
  EXPECT_NE(first->data_dir(), second->data_dir());

  ASSERT_TRUE(first->CreateTopic("events", 1).ok());
  ASSERT_TRUE(second->CreateTopic("events", 1).ok());
  Produce(*first, "events", {"only-in-first"});
  Produce(*second, "events", {"only-in-second", "also-in-second"});

  Result<std::vector<ConsumedRecord>> in_first = first->ReadAll("events");
  Result<std::vector<ConsumedRecord>> in_second = second->ReadAll("events");
  ASSERT_TRUE(in_first.ok()) << in_first.status().ToString();
  ASSERT_TRUE(in_second.ok()) << in_second.status().ToString();
  EXPECT_EQ(Values(*in_first), std::vector<std::string>{"only-in-first"});
  EXPECT_EQ(Values(*in_second), (std::vector<std::string>{"only-in-second", "also-in-second"}));
}

TEST(TestBrokerTest, RestartKeepsDataAndAddress) {
  std::unique_ptr<TestBroker> broker = StartOrFail();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic("kept", 1).ok());
  Produce(*broker, "kept", {"before"});
  const std::string address = broker->address();

  ASSERT_TRUE(broker->Restart().ok());
  EXPECT_EQ(broker->address(), address);
  Produce(*broker, "kept", {"after"});
  Result<std::vector<ConsumedRecord>> all = broker->ReadAll("kept");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Values(*all), (std::vector<std::string>{"before", "after"}));
}

TEST(TestBrokerTest, DestructionRemovesTheDataDirectory) {
  std::string dir;
  {
    std::unique_ptr<TestBroker> broker = StartOrFail();
    ASSERT_NE(broker, nullptr);
    dir = broker->data_dir();
    EXPECT_TRUE(std::filesystem::is_directory(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(TestBrokerTest, BadOptionsAreRefused) {
  TestBrokerOptions fsync;
  fsync.fsync = "sometimes";
  EXPECT_EQ(TestBroker::Start(fsync).status().code(), ErrorCode::kInvalidArgument);
  TestBrokerOptions level;
  level.log_level = "loud";
  EXPECT_EQ(TestBroker::Start(level).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::testing
