// The group coordinator's rules, driven with an injected clock and in-memory topics.
#include <gtest/gtest.h>

#include <random>

#include "tests/broker/group_test_util.h"

namespace choreo::broker {
namespace {

using testing::FakeTopics;
using testing::KindOf;
using testing::ScriptedMember;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinatorTest() : coordinator_(Options(), topics_) { topics_.Set("orders", 4); }

  static GroupOptions Options() {
    GroupOptions options;
    options.heartbeat_interval = absl::Milliseconds(300);
    return options;
  }
  ScriptedMember Member(const std::string& id, const std::string& instance = "") {
    return ScriptedMember(coordinator_, "g", id, {"orders"}, instance);
  }
  void ExpectDisjoint(const std::vector<const ScriptedMember*>& members) {
    PartitionSet seen;
    for (const ScriptedMember* m : members) {
      for (const GroupPartition& p : m->owned()) {
        EXPECT_TRUE(seen.insert(p).second) << p.topic << "/" << p.partition << " owned twice";
      }
    }
  }
  std::string State() { return coordinator_.Describe("g", now_)->state; }

  FakeTopics topics_;
  GroupCoordinator coordinator_;
  absl::Time now_ = absl::FromUnixSeconds(1'000'000);
};

TEST_F(GroupCoordinatorTest, AFirstMemberGetsEveryPartition) {
  ScriptedMember a = Member("a");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.owned().size(), 4u);
  EXPECT_GT(a.epoch(), 0);
  EXPECT_EQ(a.last().group_epoch, 2);  // the join, then the subscribed topic's metadata
  EXPECT_EQ(a.last().heartbeat_interval_ms, 300u);
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(State(), kStateStable);
}

TEST_F(GroupCoordinatorTest, APartitionMovesOnlyAfterItsOwnerReleasedIt) {
  ScriptedMember a = Member("a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_TRUE(b.owned().empty()) << "a still holds everything";
  EXPECT_LT(b.last().heartbeat_interval_ms, 300u) << "a waiting member comes back sooner";
  EXPECT_EQ(State(), kStateReconciling);

  const int32_t a_epoch = a.epoch();
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.last().assignment.size(), 2u) << "a is asked to give two up";
  EXPECT_GT(a.epoch(), a_epoch);
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_TRUE(b.owned().empty()) << "a has not released yet";
  ExpectDisjoint({&a, &b});

  a.Revoke();
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.owned().size(), 2u);
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(b.owned().size(), 2u);
  ExpectDisjoint({&a, &b});
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(State(), kStateStable);
}

TEST_F(GroupCoordinatorTest, PartitionsThatDoNotMoveStayAssignedThroughout) {
  ScriptedMember a = Member("a");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ScriptedMember b = Member("b");
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  const PartitionSet kept = a.last().assignment;
  a.Revoke();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Heartbeat(now_).ok());
    ASSERT_TRUE(a.Heartbeat(now_).ok());
    EXPECT_EQ(a.last().assignment, kept);
  }
}

TEST_F(GroupCoordinatorTest, AnExpiredMemberIsRemovedAndItsPartitionsReleased) {
  ScriptedMember a = Member("a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  // a stops heartbeating; b keeps going.
  for (int i = 0; i < 4; ++i) {
    now_ += absl::Milliseconds(300);
    ASSERT_TRUE(b.Heartbeat(now_).ok());
  }
  EXPECT_EQ(b.owned().size(), 4u);
  EXPECT_EQ(KindOf(a.Heartbeat(now_)), GroupErrorKind::kUnknownMember);
  std::vector<absl::Status> errors;
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "a", a.epoch(), {{"orders", 0}}, now_, &errors)),
            GroupErrorKind::kUnknownMember);
}

TEST_F(GroupCoordinatorTest, ALeavingMemberReleasesAtOnce) {
  ScriptedMember a = Member("a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  ASSERT_TRUE(a.Leave(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(b.owned().size(), 4u);
  ASSERT_TRUE(b.Leave(now_).ok());
  EXPECT_FALSE(coordinator_.Describe("g", now_).has_value()) << "an empty group is dropped";
  EXPECT_TRUE(b.Leave(now_).ok()) << "leaving twice is fine";
}

TEST_F(GroupCoordinatorTest, AStaticMemberThatComesBackKeepsItsPartitions) {
  ScriptedMember a = Member("a1", "instance-a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  a.Revoke();
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  const PartitionSet a_partitions = a.owned();
  const PartitionSet b_partitions = b.owned();
  ASSERT_EQ(a_partitions.size(), 2u);
  const int32_t group_epoch = b.last().group_epoch;

  ASSERT_TRUE(a.Leave(now_, /*static_leave=*/true).ok());
  now_ += absl::Milliseconds(500);
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(b.owned(), b_partitions) << "a's partitions wait for it";

  a.Restart("a2");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.owned(), a_partitions);
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(b.last().group_epoch, group_epoch) << "no rebalance";
  EXPECT_EQ(b.owned(), b_partitions);
  // The previous incarnation's id is fenced.
  std::vector<absl::Status> errors;
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "a1", 1, {}, now_, &errors)),
            GroupErrorKind::kUnknownMember);
}

TEST_F(GroupCoordinatorTest, AStaticMemberThatDoesNotComeBackExpires) {
  ScriptedMember a = Member("a", "instance-a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  ASSERT_TRUE(a.Leave(now_, /*static_leave=*/true).ok());
  EXPECT_EQ(coordinator_.Describe("g", now_)->members.size(), 2u);
  for (int i = 0; i < 4; ++i) {
    now_ += absl::Milliseconds(300);
    ASSERT_TRUE(b.Heartbeat(now_).ok());
  }
  EXPECT_EQ(b.owned().size(), 4u);
  EXPECT_EQ(coordinator_.Describe("g", now_)->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, CommitsAreFencedByMemberEpochAndOwnership) {
  ScriptedMember a = Member("a");
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  const int32_t first_epoch = a.epoch();
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  ASSERT_TRUE(a.Heartbeat(now_).ok());  // epoch bumps: two partitions to revoke
  ASSERT_GT(a.epoch(), first_epoch);

  std::vector<absl::Status> errors;
  const std::vector<GroupPartition> all = {
      {"orders", 0}, {"orders", 1}, {"orders", 2}, {"orders", 3}};
  // Current and previous epoch are accepted; a still holds everything until it revokes.
  EXPECT_TRUE(coordinator_.CheckCommit("g", "a", a.epoch(), all, now_, &errors).ok());
  EXPECT_TRUE(coordinator_.CheckCommit("g", "a", first_epoch, all, now_, &errors).ok());
  for (const absl::Status& e : errors)
    EXPECT_TRUE(e.ok());
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "a", a.epoch() + 7, all, now_, &errors)),
            GroupErrorKind::kIllegalGeneration);
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "zombie", 1, all, now_, &errors)),
            GroupErrorKind::kUnknownMember);
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "", 0, all, now_, &errors)),
            GroupErrorKind::kGroupNotEmpty);

  // After revoking, a may no longer commit what it gave up.
  a.Revoke();
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(coordinator_.CheckCommit("g", "a", a.epoch(), all, now_, &errors).ok());
  int rejected = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!errors[i].ok()) {
      ++rejected;
      EXPECT_EQ(KindOf(errors[i]), GroupErrorKind::kIllegalGeneration);
      EXPECT_EQ(a.owned().count(all[i]), 0u);
    }
  }
  EXPECT_EQ(rejected, 2);

  // A group without members accepts administrative commits only.
  ASSERT_TRUE(a.Leave(now_).ok());
  ASSERT_TRUE(b.Leave(now_).ok());
  EXPECT_TRUE(coordinator_.CheckCommit("g", "", 0, all, now_, &errors).ok());
  EXPECT_EQ(KindOf(coordinator_.CheckCommit("g", "b", 3, all, now_, &errors)),
            GroupErrorKind::kUnknownMember);
}

TEST_F(GroupCoordinatorTest, StaleEpochsAndUnknownMembersAreRejected) {
  ScriptedMember a = Member("a");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  HeartbeatInput in;
  in.member_id = "a";
  in.member_epoch = a.epoch() + 10;
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("g", in, now_).status()),
            GroupErrorKind::kIllegalGeneration);
  in.member_id = "nobody";
  in.member_epoch = 3;
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("g", in, now_).status()), GroupErrorKind::kUnknownMember);
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("other", in, now_).status()),
            GroupErrorKind::kUnknownMember);
}

TEST_F(GroupCoordinatorTest, BadJoinsAreInvalidRequests) {
  HeartbeatInput in;
  in.member_id = "a";
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("g", in, now_).status()),
            GroupErrorKind::kInvalidRequest);
  in.subscribed_pattern = "orders[";
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("g", in, now_).status()),
            GroupErrorKind::kInvalidRequest);
  in.subscribed_pattern = "";
  in.subscribed_topics = {"orders"};
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("", in, now_).status()), GroupErrorKind::kInvalidRequest);
  EXPECT_EQ(KindOf(coordinator_.Heartbeat(std::string(300, 'g'), in, now_).status()),
            GroupErrorKind::kInvalidRequest);
  in.member_id = std::string(256, 'm');
  EXPECT_EQ(KindOf(coordinator_.Heartbeat("g", in, now_).status()),
            GroupErrorKind::kInvalidRequest);
  EXPECT_TRUE(coordinator_.List(now_).empty()) << "failed joins leave no group behind";
}

TEST_F(GroupCoordinatorTest, AJoinWithoutIdGetsAFreshOne) {
  HeartbeatInput in;
  in.subscribed_topics = {"orders"};
  absl::StatusOr<HeartbeatOutput> first = coordinator_.Heartbeat("g", in, now_);
  absl::StatusOr<HeartbeatOutput> second = coordinator_.Heartbeat("g", in, now_);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(first->member_id.empty());
  EXPECT_NE(first->member_id, second->member_id);
}

TEST_F(GroupCoordinatorTest, AddedPartitionsAndMatchingTopicsArePickedUp) {
  ScriptedMember a = Member("a");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  const int32_t epoch = a.last().group_epoch;
  topics_.Set("orders", 6);
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.owned().size(), 6u);
  EXPECT_GT(a.last().group_epoch, epoch);

  HeartbeatInput in;
  in.member_id = "p";
  in.subscribed_pattern = "events\\..*";
  absl::StatusOr<HeartbeatOutput> joined = coordinator_.Heartbeat("patterns", in, now_);
  ASSERT_TRUE(joined.ok());
  EXPECT_TRUE(joined->assignment.empty());
  topics_.Set("events.orders", 2);
  topics_.Set("eventsXorders", 2);
  in.member_epoch = joined->member_epoch;
  in.subscribed_pattern.clear();
  absl::StatusOr<HeartbeatOutput> next = coordinator_.Heartbeat("patterns", in, now_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->assignment, (PartitionSet{{"events.orders", 0}, {"events.orders", 1}}));
}

TEST_F(GroupCoordinatorTest, AMemberThatNeverReleasesIsRemovedAfterItsRebalanceTimeout) {
  ScriptedMember a = Member("a");
  a.rebalance_timeout_ms = 500;
  ScriptedMember b = Member("b");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  // a heartbeats but keeps owning everything: removed once its rebalance timeout is over.
  absl::Status a_beat;
  for (int i = 0; i < 4 && a_beat.ok(); ++i) {
    now_ += absl::Milliseconds(300);
    a_beat = a.Heartbeat(now_);
    ASSERT_TRUE(b.Heartbeat(now_).ok());
  }
  EXPECT_EQ(KindOf(a_beat), GroupErrorKind::kUnknownMember);
  ASSERT_TRUE(b.Heartbeat(now_).ok());
  EXPECT_EQ(b.owned().size(), 4u);
}

TEST_F(GroupCoordinatorTest, GroupsFromBeforeARestartWaitOneSessionTimeout) {
  coordinator_.HoldAfterRestart({"g"}, now_);
  ScriptedMember a = Member("a");
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_TRUE(a.owned().empty()) << "a member from before the restart may still consume";
  EXPECT_EQ(State(), kStateReconciling);
  now_ += absl::Milliseconds(600);
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_TRUE(a.owned().empty());
  now_ += absl::Milliseconds(500);
  ASSERT_TRUE(a.Heartbeat(now_).ok());
  EXPECT_EQ(a.owned().size(), 4u);
  // Other groups are not held.
  ScriptedMember other(coordinator_, "new-group", "x", {"orders"});
  ASSERT_TRUE(other.Heartbeat(now_ - absl::Seconds(1)).ok());
  EXPECT_EQ(other.owned().size(), 4u);
}

// Many members joining, leaving, dying and revoking at random: no partition is ever owned by two
// members, and once things settle every partition is owned.
TEST_F(GroupCoordinatorTest, RandomChurnNeverDoubleAssigns) {
  topics_.Set("orders", 12);
  std::mt19937 random(7);
  std::vector<std::unique_ptr<ScriptedMember>> members;
  int next_id = 0;
  for (int step = 0; step < 2000; ++step) {
    now_ += absl::Milliseconds(20);
    const int action = static_cast<int>(random() % 100);
    if (action < 3 && members.size() < 6) {
      members.push_back(std::make_unique<ScriptedMember>(
          coordinator_, "g", "m" + std::to_string(next_id++), std::vector<std::string>{"orders"}));
    } else if (action < 5 && !members.empty()) {
      const size_t victim = random() % members.size();
      // Half leave; the others die silently and their sessions expire later.
      if (random() % 2 == 0) {
        ASSERT_TRUE(members[victim]->Leave(now_).ok());
      }
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(victim));
    } else if (!members.empty()) {
      ScriptedMember& m = *members[random() % members.size()];
      if (random() % 3 == 0) m.Revoke();
      if (!m.Heartbeat(now_).ok()) m.Restart("m" + std::to_string(next_id++));
    }
    std::vector<const ScriptedMember*> live;
    for (const auto& m : members) {
      m->DropIfSessionExpired(now_);
      live.push_back(m.get());
    }
    ExpectDisjoint(live);
  }
  // Settle: everyone revokes and heartbeats until the group is stable.
  now_ += absl::Seconds(2);
  for (int round = 0; round < 6; ++round) {
    for (auto& m : members) {
      m->Revoke();
      absl::Status beat = m->Heartbeat(now_);
      ASSERT_TRUE(beat.ok()) << beat;
    }
  }
  size_t owned = 0;
  for (const auto& m : members)
    owned += m->owned().size();
  EXPECT_EQ(owned, members.empty() ? 0u : 12u);
}

}  // namespace
}  // namespace choreo::broker
