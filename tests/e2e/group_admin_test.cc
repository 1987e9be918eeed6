// Group administration and fencing end to end: lag in describe, the `choreo group` commands,
// a zombie's rejected commit, and a static member's restart that moves no partition.
#include <gtest/gtest.h>

#include <sstream>

#include "client/consumer/consumer_impl.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"

#ifndef CHOREO_CLI_PATH
#error "CHOREO_CLI_PATH must name the choreo binary"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;

class GroupAdminTest : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    CreateTopic("t", 2);
    admin_ = ConnectAdmin();
  }
  void Produce(uint32_t partition, int count) {
    std::unique_ptr<Producer> producer = CreateProducer();
    std::vector<Record> records(static_cast<size_t>(count), Record{"", "x", {}, 0});
    ASSERT_TRUE(producer->SendBatch("t", partition, std::move(records)).get().ok());
  }
  std::unique_ptr<Consumer> Member(const std::string& group, const std::string& instance = "",
                                   milliseconds session = milliseconds(1500)) {
    ConsumerOptions options{.client = Client()};
    options.group_id = group;
    options.instance_id = instance;
    options.session_timeout = session;
    options.max_wait = milliseconds(50);
    options.enable_auto_commit = false;
    options.commit_on_close = false;
    Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
    if (!consumer.ok()) return nullptr;
    EXPECT_TRUE((*consumer)->Subscribe({"t"}).ok());
    return std::move(consumer).value();
  }
  // Polls every member until `condition` holds.
  template <typename Condition>
  ::testing::AssertionResult PollUntil(const std::vector<Consumer*>& members, Condition condition,
                                       const std::string& what) {
    return WaitFor(
        [&] {
          for (Consumer* m : members) {
            Result<std::vector<ConsumedRecord>> records = m->Poll(milliseconds(5));
            if (records.ok()) consumed_ += records->size();
          }
          return condition();
        },
        what);
  }
  ProcessResult Choreo(std::vector<std::string> args) {
    args.insert(args.begin(), CHOREO_CLI_PATH);
    args.push_back("--broker");
    args.push_back(broker_->address());
    return RunProcess(args, "", dir_.path());
  }
  std::string State(const std::string& group) {
    Result<GroupDescription> d = admin_->DescribeGroup(group);
    return d.ok() ? d->state : d.status().ToString();
  }

  std::unique_ptr<Admin> admin_;
  size_t consumed_ = 0;
};

TEST_F(GroupAdminTest, LagIsWhatWasProducedMinusWhatWasCommitted) {
  Produce(0, 20);
  Produce(1, 10);
  std::unique_ptr<Consumer> member = Member("lag");
  ASSERT_TRUE(PollUntil(
      {member.get()}, [&] { return consumed_ == 30; }, "all 30 records"));
  ASSERT_TRUE(member->Commit({{{"t", 0}, {12, "half"}}, {{"t", 1}, {10, ""}}}).ok());
  ASSERT_TRUE(PollUntil(
      {member.get()}, [&] { return State("lag") == "stable"; }, "stable"));

  Result<GroupDescription> group = admin_->DescribeGroup("lag");
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  ASSERT_EQ(group->members.size(), 1u);
  EXPECT_EQ(group->members[0].member_id, member->MemberId());
  EXPECT_EQ(group->members[0].assignment.size(), 2u);
  ASSERT_EQ(group->offsets.size(), 2u);
  EXPECT_EQ(group->offsets[0].committed_offset, 12);
  EXPECT_EQ(group->offsets[0].log_end_offset, 20);
  EXPECT_EQ(group->offsets[0].lag, 8);
  EXPECT_EQ(group->offsets[0].metadata, "half");
  EXPECT_EQ(group->offsets[1].lag, 0);

  ASSERT_TRUE(member->Close().ok());
  EXPECT_EQ(State("lag"), "empty");
  ProcessResult described = Choreo({"group", "describe", "lag"});
  EXPECT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("state: empty"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("t\t0\t12\t20\t8\t-"), std::string::npos) << described.out;
}

TEST_F(GroupAdminTest, TheCliListsResetsAndDeletesGroups) {
  Produce(0, 20);
  Produce(1, 10);
  // consume --group without --follow reads what is there, commits it and exits.
  ProcessResult first = Choreo({"consume", "t", "--group", "cli", "--from-beginning"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(std::count(first.out.begin(), first.out.end(), '\n'), 30);
  ProcessResult again = Choreo({"consume", "t", "--group", "cli", "--from-beginning"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "") << "committed records were delivered again";

  ProcessResult listed = Choreo({"group", "list"});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("cli\tempty\t0"), std::string::npos) << listed.out;

  ProcessResult reset = Choreo({"group", "reset-offsets", "cli", "--topic", "t", "--to-earliest"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("t\t0\t0"), std::string::npos) << reset.out;
  reset = Choreo(
      {"group", "reset-offsets", "cli", "--topic", "t", "--partition", "0", "--to-offset", "15"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  Result<GroupDescription> group = admin_->DescribeGroup("cli");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->offsets[0].committed_offset, 15);
  EXPECT_EQ(group->offsets[0].lag, 5);
  EXPECT_EQ(group->offsets[1].committed_offset, 0);
  ProcessResult rest = Choreo({"consume", "t", "--group", "cli", "--format", "full"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(std::count(rest.out.begin(), rest.out.end(), '\n'), 5 + 10);
  reset = Choreo({"group", "reset-offsets", "cli", "--topic", "t", "--to-timestamp",
                  "9000000000000"});  // nothing that recent: the end
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("t\t0\t20"), std::string::npos) << reset.out;

  // Not while the group has members.
  std::unique_ptr<Consumer> member = Member("cli");
  ASSERT_TRUE(PollUntil(
      {member.get()}, [&] { return member->MemberEpoch() > 0; }, "a join"));
  ProcessResult busy = Choreo({"group", "reset-offsets", "cli", "--topic", "t", "--to-latest"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("GROUP_NOT_EMPTY"), std::string::npos) << busy.err;
  busy = Choreo({"group", "delete", "cli"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("GROUP_NOT_EMPTY"), std::string::npos) << busy.err;
  ASSERT_TRUE(member->Close().ok());

  ProcessResult deleted = Choreo({"group", "delete", "cli"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  ProcessResult gone = Choreo({"group", "describe", "cli"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("UNKNOWN_GROUP"), std::string::npos) << gone.err;
}

TEST_F(GroupAdminTest, AZombiesCommitIsRejected) {
  Produce(0, 10);
  Produce(1, 10);
  std::unique_ptr<Consumer> zombie = Member("z");
  std::unique_ptr<Consumer> live = Member("z");
  ASSERT_TRUE(PollUntil(
      {zombie.get(), live.get()},
      [&] { return zombie->Assignment().size() == 1 && live->Assignment().size() == 1; },
      "one partition each"));
  ASSERT_TRUE(zombie->Commit().ok());
  // The zombie stops heartbeating (a long GC pause, a frozen VM) but is not dead.
  ASSERT_TRUE(client_internal::ConsumerTestPeer::PauseHeartbeats(*zombie, true));
  ASSERT_TRUE(PollUntil(
      {live.get()}, [&] { return live->Assignment().size() == 2; },
      "the live member to take over"));
  const Status late = zombie->Commit();
  EXPECT_EQ(late.code(), ErrorCode::kUnknownMemberId) << late.ToString();
  const Status explicit_commit = zombie->Commit({{{"t", 0}, {3, ""}}});
  EXPECT_EQ(explicit_commit.code(), ErrorCode::kUnknownMemberId);
  // The live member's own commit of the same partition goes through.
  EXPECT_TRUE(live->Commit().ok());
}

TEST_F(GroupAdminTest, AStaticMemberRestartMovesNoPartition) {
  Produce(0, 5);
  Produce(1, 5);
  std::unique_ptr<Consumer> a = Member("s", "instance-a", milliseconds(5000));
  std::unique_ptr<Consumer> b = Member("s", "", milliseconds(5000));
  ASSERT_TRUE(PollUntil(
      {a.get(), b.get()}, [&] { return State("s") == "stable" && a->Assignment().size() == 1; },
      "a stable group of two"));
  const std::vector<TopicPartition> a_partitions = a->Assignment();
  const std::vector<TopicPartition> b_partitions = b->Assignment();
  const int32_t epoch = admin_->DescribeGroup("s")->group_epoch;

  ASSERT_TRUE(a->Close().ok());  // a static member leaves with epoch -2: it will be back
  a = Member("s", "instance-a", milliseconds(5000));
  ASSERT_TRUE(PollUntil(
      {a.get(), b.get()},
      [&] {
        EXPECT_EQ(b->Assignment(), b_partitions) << "b's partitions moved";
        return a->Assignment() == a_partitions;
      },
      "the restarted member to get its partitions back"));
  EXPECT_EQ(admin_->DescribeGroup("s")->group_epoch, epoch) << "the group rebalanced";
}

}  // namespace
}  // namespace choreo::e2e
