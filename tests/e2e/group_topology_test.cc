// Topic changes under a running group: a pattern subscription picks up a topic created later, and
// partitions added to a subscribed topic are assigned and consumed.
#include <gtest/gtest.h>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;

using GroupTopologyTest = BrokerTest;

TEST_F(GroupTopologyTest, NewMatchingTopicsAndAddedPartitionsAreConsumed) {
  CreateTopic("events.orders", 1);
  CreateTopic("audit", 1);
  ConsumerOptions options{.client = Client()};
  options.group_id = "svc";
  options.session_timeout = milliseconds(1500);
  options.max_wait = milliseconds(50);
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->SubscribePattern("events\\..*").ok());

  std::map<std::string, int> consumed;  // by topic
  auto poll_until = [&](auto condition, const std::string& what) {
    return WaitFor(
        [&] {
          Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(milliseconds(20));
          if (records.ok()) {
            for (const ConsumedRecord& r : *records)
              ++consumed[r.topic];
          }
          return condition();
        },
        what);
  };
  std::unique_ptr<Producer> producer = CreateProducer();
  auto produce = [&](const std::string& topic, uint32_t partition, int count) {
    std::vector<Record> records(static_cast<size_t>(count), Record{"", "x", {}, 0});
    ASSERT_TRUE(producer->SendBatch(topic, partition, std::move(records)).get().ok());
  };
  produce("events.orders", 0, 5);
  produce("audit", 0, 5);
  ASSERT_TRUE(poll_until([&] { return consumed["events.orders"] == 5; }, "the first topic"));

  CreateTopic("events.payments", 2);
  produce("events.payments", 1, 4);
  ASSERT_TRUE(poll_until([&] { return consumed["events.payments"] == 4; }, "the new topic"));

  std::unique_ptr<Admin> admin = ConnectAdmin();
  TopicChanges grow;
  grow.partitions = 3;
  ASSERT_TRUE(admin->AlterTopic("events.orders", grow).ok());
  produce("events.orders", 2, 3);
  ASSERT_TRUE(poll_until([&] { return consumed["events.orders"] == 8; }, "the added partition"));
  EXPECT_EQ((*consumer)->Assignment().size(), 5u);
  EXPECT_EQ(consumed.count("audit"), 0u) << "a topic outside the pattern was consumed";
  ASSERT_TRUE((*consumer)->Close().ok());
}

}  // namespace
}  // namespace choreo::e2e
