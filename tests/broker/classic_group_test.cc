// Kafka's classic group protocol (broker/group/classic_group.h, classic_coordinator.h), driven
// with an injected clock: the join barrier, leader and protocol selection, SyncGroup, heartbeats,
// leaves, expiry, static members, commit fencing, limits and the refusal to mix with native
// members.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/classic_coordinator.h"
#include "broker/group/coordinator.h"
#include "broker/group/group_errors.h"
#include "tests/broker/group_test_util.h"

namespace choreo::broker {
namespace {

using namespace classic_error;  // NOLINT(build/namespaces)

// Where a waiting JoinGroup or SyncGroup response lands.
template <typename T>
struct Slot {
  std::optional<T> value;
  int calls = 0;
};

class ClassicGroupTest : public ::testing::Test {
 protected:
  ClassicGroupTest()
      : coordinator_(Options(), [this](std::string_view, absl::Time) { return native_members_; }) {}

  static ClassicCoordinatorOptions Options() {
    ClassicCoordinatorOptions options;
    options.limits.max_members = 4;
    options.limits.max_metadata_bytes = 1024;
    options.limits.max_assignment_bytes = 512;
    return options;
  }

  static ClassicJoinRequest Request(const std::string& member_id,
                                    std::vector<ClassicProtocol> protocols = {{"range", "meta"}}) {
    ClassicJoinRequest request;
    request.member_id = member_id;
    request.client_id = "client";
    request.protocol_type = "consumer";
    request.protocols = std::move(protocols);
    request.session_timeout = absl::Seconds(10);
    request.rebalance_timeout = absl::Seconds(30);
    request.require_known_member_id = true;
    return request;
  }

  // A join that may wait: the immediate response, or the one delivered through the callback (if
  // already delivered) in `slot`.
  std::optional<ClassicJoinResponse> Join(ClassicJoinRequest request,
                                          std::shared_ptr<Slot<ClassicJoinResponse>> slot,
                                          const std::string& group = "g") {
    return coordinator_.Join(group, std::move(request), now_, [slot](ClassicJoinResponse r) {
      slot->value = std::move(r);
      ++slot->calls;
    });
  }
  std::optional<ClassicSyncResponse> Sync(const std::string& member, int32_t generation,
                                          std::map<std::string, std::string> assignments,
                                          std::shared_ptr<Slot<ClassicSyncResponse>> slot) {
    return coordinator_.Sync("g", generation, member, "", assignments, now_,
                             [slot](ClassicSyncResponse r) {
                               slot->value = std::move(r);
                               ++slot->calls;
                             });
  }

  // The two-step join of a new dynamic member: its id.
  std::string NewMemberId() {
    auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
    std::optional<ClassicJoinResponse> first = Join(Request(""), slot);
    EXPECT_TRUE(first.has_value());
    EXPECT_EQ(first->error, kMemberIdRequired);
    EXPECT_FALSE(first->member_id.empty());
    return first->member_id;
  }

  // One member joins an empty group and syncs: it leads generation `generation`.
  std::string StableSingleMember() {
    const std::string id = NewMemberId();
    auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
    EXPECT_FALSE(Join(Request(id), slot).has_value());
    EXPECT_EQ(slot->calls, 1);
    auto sync = std::make_shared<Slot<ClassicSyncResponse>>();
    EXPECT_FALSE(Sync(id, slot->value->generation, {{id, "all"}}, sync).has_value());
    EXPECT_EQ(sync->value->assignment, "all");
    return id;
  }

  std::string State() { return coordinator_.Describe("g", now_)->state; }

  bool native_members_ = false;
  ClassicGroupCoordinator coordinator_;
  absl::Time now_ = absl::FromUnixSeconds(1'000'000);
};

TEST_F(ClassicGroupTest, TwoStepJoinThenTheFirstMemberLeadsAlone) {
  const std::string id = NewMemberId();
  EXPECT_EQ(id.rfind("client-", 0), 0u) << id;
  auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(Request(id), slot).has_value());
  ASSERT_EQ(slot->calls, 1) << "the only member completes the barrier at once";
  const ClassicJoinResponse& r = *slot->value;
  EXPECT_EQ(r.error, kNone);
  EXPECT_EQ(r.generation, 1);
  EXPECT_EQ(r.leader, id);
  EXPECT_EQ(r.member_id, id);
  EXPECT_EQ(r.protocol_name, "range");
  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0].metadata, "meta");
  EXPECT_EQ(State(), "CompletingRebalance");
}

TEST_F(ClassicGroupTest, AnUnknownMemberIdIsRefused) {
  auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_EQ(Join(Request("made-up"), slot)->error, kUnknownMemberId);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, "made-up", "", now_), kUnknownMemberId);
  auto sync = std::make_shared<Slot<ClassicSyncResponse>>();
  EXPECT_EQ(Sync("made-up", 1, {}, sync)->error, kUnknownMemberId);
  EXPECT_FALSE(coordinator_.HasMembers("g", now_));
}

TEST_F(ClassicGroupTest, BeforeV4AMemberJoinsInOneStep) {
  ClassicJoinRequest request = Request("");
  request.require_known_member_id = false;
  auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(request, slot).has_value());
  ASSERT_EQ(slot->calls, 1);
  EXPECT_EQ(slot->value->error, kNone);
  EXPECT_FALSE(slot->value->member_id.empty());
}

TEST_F(ClassicGroupTest, TheBarrierWaitsForEveryKnownMemberToRejoin) {
  const std::string a = StableSingleMember();
  EXPECT_EQ(State(), "Stable");
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(Request(b), b_join).has_value());
  EXPECT_EQ(b_join->calls, 0) << "a has not rejoined yet";
  EXPECT_EQ(State(), "PreparingRebalance");
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a, "", now_), kRebalanceInProgress);
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(Request(a), a_join).has_value());
  ASSERT_EQ(a_join->calls, 1);
  ASSERT_EQ(b_join->calls, 1);
  EXPECT_EQ(a_join->value->generation, 2);
  EXPECT_EQ(b_join->value->generation, 2);
  EXPECT_EQ(a_join->value->leader, a) << "the leader stays the leader";
  EXPECT_EQ(a_join->value->members.size(), 2u);
  EXPECT_TRUE(b_join->value->members.empty()) << "only the leader gets the members";
  // The follower's SyncGroup waits for the leader's.
  auto b_sync = std::make_shared<Slot<ClassicSyncResponse>>();
  EXPECT_FALSE(Sync(b, 2, {}, b_sync).has_value());
  EXPECT_EQ(b_sync->calls, 0);
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, a, "", now_), kNone);
  auto a_sync = std::make_shared<Slot<ClassicSyncResponse>>();
  EXPECT_FALSE(Sync(a, 2, {{a, "p0"}, {b, "p1"}}, a_sync).has_value());
  ASSERT_EQ(b_sync->calls, 1);
  EXPECT_EQ(b_sync->value->assignment, "p1");
  EXPECT_EQ(a_sync->value->assignment, "p0");
  EXPECT_EQ(State(), "Stable");
  // Once stable, a SyncGroup is answered at once; a stale generation is refused.
  EXPECT_EQ(Sync(b, 2, {}, b_sync)->assignment, "p1");
  EXPECT_EQ(Sync(b, 1, {}, b_sync)->error, kIllegalGeneration);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, b, "", now_), kIllegalGeneration);
}

TEST_F(ClassicGroupTest, AMemberThatDoesNotRejoinIsDroppedAtTheRebalanceDeadline) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(Request(b), b_join).has_value());
  // a keeps heartbeating (so its session does not expire) but never rejoins.
  now_ += absl::Seconds(9);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a, "", now_), kRebalanceInProgress);
  std::optional<absl::Time> next = coordinator_.Tick("g", now_);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(b_join->calls, 0);
  now_ += absl::Seconds(9);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a, "", now_), kRebalanceInProgress);
  now_ += absl::Seconds(9);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a, "", now_), kRebalanceInProgress);
  EXPECT_EQ(b_join->calls, 0);
  now_ += absl::Seconds(4);  // 31 s after the rebalance began: past its 30 s rebalance timeout
  coordinator_.Tick("g", now_);
  ASSERT_EQ(b_join->calls, 1);
  EXPECT_EQ(b_join->value->error, kNone);
  EXPECT_EQ(b_join->value->leader, b);
  EXPECT_EQ(b_join->value->members.size(), 1u);
  EXPECT_EQ(coordinator_.Heartbeat("g", 1, a, "", now_), kUnknownMemberId);
}

TEST_F(ClassicGroupTest, ASilentMemberExpiresAfterItsSessionTimeout) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(b), b_join);
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(a), a_join);
  auto a_sync = std::make_shared<Slot<ClassicSyncResponse>>();
  Sync(a, 2, {{a, "p0"}, {b, "p1"}}, a_sync);
  ASSERT_EQ(State(), "Stable");
  // b goes silent; a heartbeats every 3 s.
  for (int i = 0; i < 3; ++i) {
    now_ += absl::Seconds(3);
    EXPECT_EQ(coordinator_.Heartbeat("g", 2, a, "", now_), kNone);
  }
  std::optional<absl::Time> next = coordinator_.Tick("g", now_);
  ASSERT_TRUE(next.has_value());
  now_ = *next;  // b's session deadline
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, a, "", now_), kRebalanceInProgress);
  Join(Request(a), a_join);
  EXPECT_EQ(a_join->value->generation, 3);
  EXPECT_EQ(a_join->value->members.size(), 1u);
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, b, "", now_), kUnknownMemberId);
}

TEST_F(ClassicGroupTest, LeaveGroupTakesABatchAndRebalancesTheRest) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(b), b_join);
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(a), a_join);
  EXPECT_EQ(coordinator_.Leave("g", {{b, ""}, {"nobody", ""}}, now_),
            (std::vector<int16_t>{kNone, kUnknownMemberId}));
  EXPECT_EQ(State(), "PreparingRebalance");
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, a, "", now_), kRebalanceInProgress);
  Join(Request(a), a_join);
  EXPECT_EQ(a_join->value->generation, 3);
  EXPECT_EQ(coordinator_.Leave("g", {{a, ""}}, now_), (std::vector<int16_t>{kNone}));
  EXPECT_FALSE(coordinator_.HasMembers("g", now_));
  EXPECT_FALSE(coordinator_.Describe("g", now_).has_value());
  EXPECT_EQ(coordinator_.total_bytes(), 0u);
}

TEST_F(ClassicGroupTest, ALeaveWhileAJoinWaitsAnswersIt) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(b), b_join);
  ASSERT_EQ(b_join->calls, 0);
  EXPECT_EQ(coordinator_.Leave("g", {{b, ""}}, now_), (std::vector<int16_t>{kNone}));
  ASSERT_EQ(b_join->calls, 1);
  EXPECT_EQ(b_join->value->error, kUnknownMemberId);
}

TEST_F(ClassicGroupTest, TheProtocolIsOneEveryMemberSupportsByVotes) {
  const std::string a = NewMemberId();
  const std::string b = NewMemberId();
  const std::string c = NewMemberId();
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  auto c_join = std::make_shared<Slot<ClassicJoinResponse>>();
  // Pending ids hold the barrier: nothing completes until all three joined.
  Join(Request(a, {{"range", "ra"}, {"roundrobin", "rr-a"}, {"sticky", "s"}}), a_join);
  Join(Request(b, {{"roundrobin", "rr-b"}, {"range", "rb"}}), b_join);
  EXPECT_EQ(a_join->calls, 0);
  Join(Request(c, {{"roundrobin", "rr-c"}, {"range", "rc"}}), c_join);
  ASSERT_EQ(a_join->calls, 1);
  EXPECT_EQ(a_join->value->protocol_name, "roundrobin");
  ASSERT_EQ(a_join->value->members.size(), 3u);
  for (const ClassicJoinMember& m : a_join->value->members)
    EXPECT_EQ(m.metadata.rfind("rr-", 0), 0u) << "the selected protocol's metadata";
  // A member with nothing in common, or another protocol type, is refused.
  auto d_join = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_EQ(Join(Request("", {{"sticky", ""}}), d_join)->error, kInconsistentGroupProtocol);
  ClassicJoinRequest other = Request("");
  other.protocol_type = "connect";
  EXPECT_EQ(Join(other, d_join)->error, kInconsistentGroupProtocol);
  EXPECT_EQ(Join(Request("", {}), d_join, "h")->error, kInconsistentGroupProtocol);
}

TEST_F(ClassicGroupTest, OffsetCommitFencing) {
  // No members: a simple consumer's commit is allowed, a member's is not.
  EXPECT_EQ(coordinator_.CheckCommit("g", -1, "", "", now_), kNone);
  EXPECT_EQ(coordinator_.CheckCommit("g", 1, "ghost", "", now_), kUnknownMemberId);
  const std::string a = StableSingleMember();
  EXPECT_EQ(coordinator_.CheckCommit("g", 1, a, "", now_), kNone);
  EXPECT_EQ(coordinator_.CheckCommit("g", -1, "", "", now_), kUnknownMemberId)
      << "a simple commit while the group has members";
  EXPECT_EQ(coordinator_.CheckCommit("g", 0, a, "", now_), kIllegalGeneration);
  EXPECT_EQ(coordinator_.CheckCommit("g", 1, "ghost", "", now_), kUnknownMemberId);
  // During the join barrier the current generation may still commit (revocation commits);
  // between the join answers and the leader's assignment it may not.
  const std::string b = NewMemberId();
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(b), b_join);
  EXPECT_EQ(coordinator_.CheckCommit("g", 1, a, "", now_), kNone);
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(a), a_join);
  EXPECT_EQ(coordinator_.CheckCommit("g", 2, a, "", now_), kRebalanceInProgress);
}

TEST_F(ClassicGroupTest, AGroupWithNativeMembersRefusesKafkaMembers) {
  native_members_ = true;
  auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_EQ(Join(Request(""), slot)->error, kInconsistentGroupProtocol);
  EXPECT_FALSE(coordinator_.HasMembers("g", now_));
  native_members_ = false;
  NewMemberId();
  EXPECT_TRUE(coordinator_.HasMembers("g", now_)) << "an id handed out counts as a member";
}

TEST_F(ClassicGroupTest, HostileInputGetsClearErrors) {
  auto slot = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_EQ(Join(Request(""), slot, "")->error, kInvalidGroupId);
  EXPECT_EQ(Join(Request(""), slot, std::string(256, 'g'))->error, kInvalidGroupId);
  EXPECT_EQ(Join(Request("", {{"range", std::string(2000, 'x')}}), slot)->error, kInvalidRequest);
  EXPECT_EQ(Join(Request(std::string(300, 'm')), slot)->error, kInvalidRequest);
  ClassicJoinRequest many = Request("");
  for (int i = 0; i < 20; ++i)
    many.protocols.push_back({"p" + std::to_string(i), ""});
  EXPECT_EQ(Join(many, slot)->error, kInvalidRequest);
  ClassicJoinRequest quick = Request("");
  quick.session_timeout = absl::Milliseconds(1);
  EXPECT_EQ(Join(quick, slot)->error, kInvalidSessionTimeout);
  quick.session_timeout = absl::Hours(1);
  EXPECT_EQ(Join(quick, slot)->error, kInvalidSessionTimeout);
  // At most 4 members (the test's limit), ids handed out included.
  for (int i = 0; i < 4; ++i)
    NewMemberId();
  EXPECT_EQ(Join(Request(""), slot)->error, kGroupMaxSizeReached);
  // Oversize assignments.
  auto sync = std::make_shared<Slot<ClassicSyncResponse>>();
  EXPECT_EQ(Sync("x", 1, {{"x", std::string(600, 'a')}}, sync)->error, kInvalidRequest);
  // Unused ids expire after the session timeout.
  now_ += absl::Seconds(11);
  EXPECT_FALSE(coordinator_.HasMembers("g", now_));
}

TEST_F(ClassicGroupTest, AStaticMemberComesBackWithoutARebalance) {
  const std::string a = StableSingleMember();
  ClassicJoinRequest request = Request("");
  request.instance_id = "worker-2";
  auto b_join = std::make_shared<Slot<ClassicJoinResponse>>();
  EXPECT_FALSE(Join(request, b_join).has_value()) << "static members skip MEMBER_ID_REQUIRED";
  auto a_join = std::make_shared<Slot<ClassicJoinResponse>>();
  Join(Request(a), a_join);
  ASSERT_EQ(b_join->calls, 1);
  const std::string b = b_join->value->member_id;
  auto a_sync = std::make_shared<Slot<ClassicSyncResponse>>();
  Sync(a, 2, {{a, "p0"}, {b, "p1"}}, a_sync);
  ASSERT_EQ(State(), "Stable");
  // worker-2 restarts: a new id, the same generation and assignment, nothing moves (its
  // subscription metadata may differ: a restarted process owns nothing yet).
  request.protocols = {{"range", "restarted"}};
  auto again = std::make_shared<Slot<ClassicJoinResponse>>();
  std::optional<ClassicJoinResponse> back = Join(request, again);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->error, kNone);
  EXPECT_EQ(back->generation, 2);
  EXPECT_NE(back->member_id, b);
  EXPECT_EQ(State(), "Stable");
  auto b_sync = std::make_shared<Slot<ClassicSyncResponse>>();
  EXPECT_EQ(coordinator_.Sync("g", 2, back->member_id, "worker-2", {}, now_, nullptr)->assignment,
            "p1");
  // The old id is fenced.
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, b, "worker-2", now_), kFencedInstanceId);
  EXPECT_EQ(coordinator_.Heartbeat("g", 2, a, "", now_), kNone);
  EXPECT_EQ(coordinator_.Leave("g", {{"", "worker-2"}}, now_), (std::vector<int16_t>{kNone}));
  EXPECT_EQ(State(), "PreparingRebalance");
}

// Through the broker's GroupCoordinator, which owns both kinds: a group id has members of one kind
// at a time, and each side's refusal says why.
TEST(ClassicAndNativeGroupsTest, AGroupIdHasMembersOfOneKindAtATime) {
  testing::FakeTopics topics;
  topics.Set("orders", 2);
  GroupCoordinator groups(GroupOptions(), topics);
  const absl::Time now = absl::FromUnixSeconds(1'000'000);
  ClassicJoinRequest kafka;
  kafka.client_id = "kcat";
  kafka.protocol_type = "consumer";
  kafka.protocols = {{"range", ""}};
  kafka.session_timeout = absl::Seconds(10);
  kafka.require_known_member_id = true;
  std::optional<ClassicJoinResponse> joined = groups.classic().Join("k", kafka, now, nullptr);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(joined->error, kMemberIdRequired);

  HeartbeatInput native;
  native.subscribed_topics = {"orders"};
  absl::StatusOr<HeartbeatOutput> refused = groups.Heartbeat("k", native, now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(testing::KindOf(refused.status()), GroupErrorKind::kInvalidRequest);
  EXPECT_NE(refused.status().message().find("Kafka"), std::string::npos)
      << refused.status().message();
  std::vector<absl::Status> errors;
  EXPECT_EQ(testing::KindOf(groups.CheckCommit("k", "", -1, {}, now, &errors)),
            GroupErrorKind::kGroupNotEmpty)
      << "no offset reset under Kafka members";
  EXPECT_EQ(testing::KindOf(groups.CheckDeletable("k", now)), GroupErrorKind::kGroupNotEmpty);

  // Choreo's group tools see the Kafka group, with the partitions of its consumer-protocol
  // assignment.
  kafka.member_id = joined->member_id;
  std::optional<ClassicJoinResponse> generation;
  EXPECT_FALSE(groups.classic()
                   .Join("k", kafka, now,
                         [&generation](ClassicJoinResponse r) { generation = std::move(r); })
                   .has_value());
  ASSERT_TRUE(generation.has_value());
  // Version 0, one topic "orders" with partitions 0 and 1, null user data.
  const std::string assignment("\0\0\0\0\0\1\0\6orders\0\0\0\2\0\0\0\0\0\0\0\1\xff\xff\xff\xff",
                               30);
  groups.classic().Sync("k", generation->generation, kafka.member_id, "",
                        {{kafka.member_id, assignment}}, now, [](ClassicSyncResponse) {});
  std::optional<GroupSnapshot> described = groups.Describe("k", now);
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->state, kStateStable);
  ASSERT_EQ(described->members.size(), 1u);
  EXPECT_EQ(described->members[0].client_id, "kcat");
  EXPECT_EQ(described->members[0].assignment,
            (PartitionSet{GroupPartition{"orders", 0}, GroupPartition{"orders", 1}}));
  ASSERT_EQ(groups.List(now).size(), 1u);
  EXPECT_EQ(groups.List(now)[0].group_id, "k");
  EXPECT_FALSE(ParseConsumerAssignment(assignment.substr(0, 12)).has_value()) << "truncated";
  EXPECT_FALSE(ParseConsumerAssignment("").has_value());

  // The other way round: a group with a native member refuses Kafka members.
  ASSERT_TRUE(groups.Heartbeat("n", native, now).ok());
  EXPECT_EQ(groups.classic().Join("n", kafka, now, nullptr)->error, kInconsistentGroupProtocol);
  EXPECT_FALSE(groups.classic().HasMembers("n", now));
}

}  // namespace
}  // namespace choreo::broker
