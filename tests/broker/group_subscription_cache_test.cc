// Subscriptions are resolved against the topics only when the topics or the subscriptions change,
// not on every heartbeat (a pattern subscription used to list and regex-match every topic in the
// broker per heartbeat), and the cached match follows topic creation and deletion.
#include <gtest/gtest.h>

#include <string>

#include "tests/broker/group_test_util.h"

namespace choreo::broker::testing {
namespace {

class GroupSubscriptionCacheTest : public ::testing::Test {
 protected:
  HeartbeatInput PatternJoin(const std::string& pattern) {
    HeartbeatInput in;
    in.member_epoch = kJoinEpoch;
    in.subscribed_pattern = pattern;
    in.session_timeout_ms = 10000;
    return in;
  }
  // A heartbeat of the member of `last`, owning what it was given.
  absl::StatusOr<HeartbeatOutput> Beat(const HeartbeatOutput& last) {
    HeartbeatInput in;
    in.member_id = last.member_id;
    in.member_epoch = last.member_epoch;
    in.owned = last.assignment;
    return coordinator_.Heartbeat("g", in, now_);
  }

  FakeTopics topics_;
  GroupCoordinator coordinator_{GroupOptions{}, topics_};
  absl::Time now_ = absl::FromUnixSeconds(1000);
};

TEST_F(GroupSubscriptionCacheTest, SteadyHeartbeatsDoNotListTheTopics) {
  for (int i = 0; i < 1000; ++i)
    topics_.Set("other." + std::to_string(i), 1);
  topics_.Set("orders.eu", 2);
  absl::StatusOr<HeartbeatOutput> out =
      coordinator_.Heartbeat("g", PatternJoin("orders\\..*"), now_);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->assignment.size(), 2u);
  const int lists = topics_.list_calls();
  for (int i = 0; i < 100; ++i) {
    now_ += absl::Milliseconds(100);
    out = Beat(*out);
    ASSERT_TRUE(out.ok()) << out.status();
  }
  EXPECT_EQ(topics_.list_calls(), lists) << "heartbeats matched the pattern against every topic";
  EXPECT_EQ(out->assignment.size(), 2u);
}

TEST_F(GroupSubscriptionCacheTest, ANewMatchingTopicIsAssignedAndADeletedOneRemoved) {
  topics_.Set("orders.eu", 1);
  absl::StatusOr<HeartbeatOutput> out =
      coordinator_.Heartbeat("g", PatternJoin("orders\\..*"), now_);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->assignment, (PartitionSet{{"orders.eu", 0}}));
  out = Beat(*out);  // cached from here on
  ASSERT_TRUE(out.ok());
  const int32_t epoch = out->group_epoch;

  topics_.Set("orders.us", 2);
  topics_.Set("payments", 1);  // does not match
  out = Beat(*out);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->assignment, (PartitionSet{{"orders.eu", 0}, {"orders.us", 0}, {"orders.us", 1}}));
  EXPECT_GT(out->group_epoch, epoch);

  topics_.Erase("orders.eu");
  out = Beat(*out);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->assignment, (PartitionSet{{"orders.us", 0}, {"orders.us", 1}}));

  // A topic that does not match moves nothing: the group epoch stays.
  const int32_t before = out->group_epoch;
  topics_.Set("payments.v2", 1);
  out = Beat(*out);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->group_epoch, before);
}

TEST_F(GroupSubscriptionCacheTest, AChangedSubscriptionIsResolvedAtOnce) {
  topics_.Set("orders.eu", 1);
  topics_.Set("payments", 1);
  absl::StatusOr<HeartbeatOutput> out =
      coordinator_.Heartbeat("g", PatternJoin("orders\\..*"), now_);
  ASSERT_TRUE(out.ok());
  HeartbeatInput in;
  in.member_id = out->member_id;
  in.member_epoch = out->member_epoch;
  in.owned = out->assignment;
  in.subscribed_topics = {"payments"};  // no topic changed: only the subscription did
  out = coordinator_.Heartbeat("g", in, now_);
  ASSERT_TRUE(out.ok()) << out.status();
  // orders.eu is still owned, so it is released first; payments is free to take at once.
  EXPECT_EQ(out->assignment, (PartitionSet{{"payments", 0}}));
}

}  // namespace
}  // namespace choreo::broker::testing
