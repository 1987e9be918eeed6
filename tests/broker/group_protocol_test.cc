// Consumer-group APIs over the wire against an in-process broker: heartbeats, fenced commits,
// offset fetch, list/describe/delete, and committed offsets across a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

using std::chrono::milliseconds;

proto::Request Heartbeat(const std::string& group, const std::string& member_id, int32_t epoch,
                         std::vector<std::string> topics = {}, uint32_t session_ms = 10000) {
  proto::Request request;
  auto* hb = request.mutable_group_heartbeat();
  hb->set_group_id(group);
  hb->set_member_id(member_id);
  hb->set_member_epoch(epoch);
  for (auto& topic : topics)
    hb->add_subscribed_topics(std::move(topic));
  hb->set_session_timeout_ms(session_ms);
  return request;
}

proto::Request Commit(const std::string& group, const std::string& member_id, int32_t epoch,
                      const std::string& topic, uint32_t partition, int64_t offset,
                      const std::string& metadata = "") {
  proto::Request request;
  auto* commit = request.mutable_offset_commit();
  commit->set_group_id(group);
  commit->set_member_id(member_id);
  commit->set_member_epoch(epoch);
  auto* p = commit->add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_offset(offset);
  p->set_metadata(metadata);
  return request;
}

proto::Request FetchOffsets(const std::string& group, const std::string& topic = "",
                            std::vector<uint32_t> partitions = {}) {
  proto::Request request;
  request.mutable_offset_fetch()->set_group_id(group);
  if (!topic.empty()) {
    auto* tps = request.mutable_offset_fetch()->add_partitions();
    tps->set_topic(topic);
    for (uint32_t p : partitions)
      tps->add_partitions(p);
  }
  return request;
}

proto::Request Describe(const std::string& group) {
  proto::Request request;
  request.mutable_describe_groups()->add_group_ids(group);
  return request;
}

class GroupProtocolTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    client_ = Connect();
    CreateTopic(*client_, "orders", 3);
  }
  void TearDown() override {
    client_.reset();  // closed first, so the broker's shutdown does not wait for it
    BrokerFixture::TearDown();
  }
  // Joins `group` and returns the answer.
  proto::ConsumerGroupHeartbeatResponse Join(const std::string& group,
                                             uint32_t session_ms = 10000) {
    std::optional<proto::Response> r =
        client_->Call(Heartbeat(group, "", 0, {"orders"}, session_ms));
    EXPECT_TRUE(r);
    EXPECT_EQ(r->error().code(), proto::NONE) << r->error().message();
    return r->group_heartbeat();
  }
  void Produce(uint32_t partition, int count) {
    std::optional<proto::Response> r =
        client_->Call(ProduceRequest("orders", partition, MakeBatch(count)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->error().code(), proto::NONE) << r->error().message();
  }
  std::unique_ptr<TestClient> client_;
};

TEST_F(GroupProtocolTest, JoinCommitAndFetchOffsets) {
  const proto::ConsumerGroupHeartbeatResponse joined = Join("svc");
  EXPECT_FALSE(joined.member_id().empty());
  EXPECT_GT(joined.member_epoch(), 0);
  EXPECT_GT(joined.heartbeat_interval_ms(), 0u);
  ASSERT_EQ(joined.assignment_size(), 1);
  EXPECT_EQ(joined.assignment(0).partitions_size(), 3);

  std::optional<proto::Response> committed =
      client_->Call(Commit("svc", joined.member_id(), joined.member_epoch(), "orders", 1, 42, "m"));
  ASSERT_TRUE(committed);
  EXPECT_EQ(committed->error().code(), proto::NONE) << committed->error().message();
  ASSERT_EQ(committed->offset_commit().partitions_size(), 1);
  EXPECT_EQ(committed->offset_commit().partitions(0).error().code(), proto::NONE);

  std::optional<proto::Response> fetched = client_->Call(FetchOffsets("svc", "orders", {0, 1}));
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->offset_fetch().partitions_size(), 2);
  EXPECT_EQ(fetched->offset_fetch().partitions(0).offset(), -1);
  EXPECT_EQ(fetched->offset_fetch().partitions(1).offset(), 42);
  EXPECT_EQ(fetched->offset_fetch().partitions(1).metadata(), "m");

  std::optional<proto::Response> all = client_->Call(FetchOffsets("svc"));
  ASSERT_TRUE(all);
  ASSERT_EQ(all->offset_fetch().partitions_size(), 1);
  EXPECT_EQ(all->offset_fetch().partitions(0).partition(), 1u);

  std::optional<proto::Response> unknown = client_->Call(FetchOffsets("svc", "nope", {0}));
  ASSERT_TRUE(unknown);
  ASSERT_EQ(unknown->offset_fetch().partitions_size(), 1);
  EXPECT_EQ(unknown->offset_fetch().partitions(0).error().code(), proto::UNKNOWN_TOPIC);

  std::optional<proto::Response> bad =
      client_->Call(Commit("svc", joined.member_id(), joined.member_epoch(), "orders", 7, 1));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->offset_commit().partitions(0).error().code(), proto::INVALID_PARTITION);
}

TEST_F(GroupProtocolTest, CommitsOfRemovedOrStaleMembersAreRejected) {
  const proto::ConsumerGroupHeartbeatResponse zombie = Join("svc", /*session_ms=*/200);
  std::optional<proto::Response> stale =
      client_->Call(Commit("svc", zombie.member_id(), zombie.member_epoch() + 5, "orders", 0, 1));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->error().code(), proto::ILLEGAL_GENERATION);
  std::optional<proto::Response> admin = client_->Call(Commit("svc", "", 0, "orders", 0, 1));
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->error().code(), proto::GROUP_NOT_EMPTY);

  // Without heartbeats the member is removed after its session timeout; then its commit fails.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  proto::ErrorCode code = proto::NONE;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<proto::Response> r =
        client_->Call(Commit("svc", zombie.member_id(), zombie.member_epoch(), "orders", 0, 1));
    ASSERT_TRUE(r);
    code = r->error().code();
    if (code != proto::NONE) break;
    std::this_thread::sleep_for(milliseconds(20));  // polling a condition, not synchronizing
  }
  EXPECT_EQ(code, proto::UNKNOWN_MEMBER_ID);
  std::optional<proto::Response> beat =
      client_->Call(Heartbeat("svc", zombie.member_id(), zombie.member_epoch()));
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->error().code(), proto::UNKNOWN_MEMBER_ID);
  // The group is empty now: an administrative commit goes through.
  std::optional<proto::Response> reset = client_->Call(Commit("svc", "", 0, "orders", 0, 0));
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->error().code(), proto::NONE);
}

TEST_F(GroupProtocolTest, DescribeListAndDelete) {
  Produce(0, 10);
  Produce(1, 4);
  const proto::ConsumerGroupHeartbeatResponse member = Join("svc");
  for (auto [partition, offset] : {std::pair<uint32_t, int64_t>{0, 7}, {1, 4}}) {
    std::optional<proto::Response> r = client_->Call(
        Commit("svc", member.member_id(), member.member_epoch(), "orders", partition, offset));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->error().code(), proto::NONE);
  }
  std::optional<proto::Response> described = client_->Call(Describe("svc"));
  ASSERT_TRUE(described);
  ASSERT_EQ(described->describe_groups().groups_size(), 1);
  const proto::GroupDescription& group = described->describe_groups().groups(0);
  EXPECT_EQ(group.error().code(), proto::NONE);
  EXPECT_EQ(group.state(), "reconciling");  // it has not yet reported owning its partitions
  ASSERT_EQ(group.members_size(), 1);
  EXPECT_EQ(group.members(0).member_id(), member.member_id());
  ASSERT_EQ(group.offsets_size(), 3);
  EXPECT_EQ(group.offsets(0).committed_offset(), 7);
  EXPECT_EQ(group.offsets(0).log_end_offset(), 10);
  EXPECT_EQ(group.offsets(0).lag(), 3);
  EXPECT_EQ(group.offsets(1).lag(), 0);
  EXPECT_EQ(group.offsets(2).committed_offset(), -1);
  EXPECT_EQ(group.offsets(2).lag(), -1);

  proto::Request list;
  list.mutable_list_groups();
  std::optional<proto::Response> listed = client_->Call(list);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->list_groups().groups_size(), 1);
  EXPECT_EQ(listed->list_groups().groups(0).members(), 1u);

  proto::Request remove;
  remove.mutable_delete_groups()->add_group_ids("svc");
  std::optional<proto::Response> busy = client_->Call(remove);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->delete_groups().results(0).error().code(), proto::GROUP_NOT_EMPTY);

  std::optional<proto::Response> left = client_->Call(Heartbeat("svc", member.member_id(), -1));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->group_heartbeat().member_epoch(), -1);
  listed = client_->Call(list);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->list_groups().groups_size(), 1);
  EXPECT_EQ(listed->list_groups().groups(0).state(), "empty");

  std::optional<proto::Response> deleted = client_->Call(remove);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->delete_groups().results(0).error().code(), proto::NONE);
  described = client_->Call(Describe("svc"));
  ASSERT_TRUE(described);
  EXPECT_EQ(described->describe_groups().groups(0).error().code(), proto::UNKNOWN_GROUP);
  EXPECT_EQ(described->describe_groups().groups(0).state(), "dead");
  deleted = client_->Call(remove);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->delete_groups().results(0).error().code(), proto::UNKNOWN_GROUP);
}

TEST_F(GroupProtocolTest, CommittedOffsetsSurviveARestartButMembersRejoin) {
  const proto::ConsumerGroupHeartbeatResponse member = Join("svc");
  std::optional<proto::Response> r =
      client_->Call(Commit("svc", member.member_id(), member.member_epoch(), "orders", 2, 5));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->error().code(), proto::NONE);
  client_.reset();
  StartBroker(DefaultOptions());
  client_ = Connect();
  std::optional<proto::Response> fetched = client_->Call(FetchOffsets("svc", "orders", {2}));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->offset_fetch().partitions(0).offset(), 5);
  std::optional<proto::Response> beat =
      client_->Call(Heartbeat("svc", member.member_id(), member.member_epoch()));
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->error().code(), proto::UNKNOWN_MEMBER_ID);
}

TEST_F(GroupProtocolTest, BadRequestsAreAnsweredNotFatal) {
  std::optional<proto::Response> r = client_->Call(Heartbeat("", "", 0, {"orders"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error().code(), proto::INVALID_REQUEST);
  proto::Request pattern = Heartbeat("svc", "", 0);
  pattern.mutable_group_heartbeat()->set_subscribed_pattern("(");
  r = client_->Call(pattern);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error().code(), proto::INVALID_REQUEST);
  r = client_->Call(FetchOffsets(std::string(300, 'x')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error().code(), proto::INVALID_REQUEST);
  // The connection is still usable.
  EXPECT_FALSE(Join("svc").member_id().empty());
}

}  // namespace
}  // namespace choreo::broker::testing
