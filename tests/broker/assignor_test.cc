// The balanced sticky assignor, as a pure function.
#include "broker/group/assignor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace choreo::broker {
namespace {

std::map<std::string, PartitionSet> Assign(const std::vector<AssignorMember>& members,
                                           const TopicPartitionCounts& topics) {
  return AssignBalancedSticky(members, topics);
}

AssignorMember Member(std::string id, std::set<std::string> topics, PartitionSet previous = {}) {
  return AssignorMember{std::move(id), std::move(topics), std::move(previous)};
}

// Every partition of `topics` assigned exactly once.
void ExpectComplete(const std::map<std::string, PartitionSet>& result,
                    const TopicPartitionCounts& topics) {
  PartitionSet seen;
  size_t total = 0;
  for (const auto& [id, partitions] : result) {
    total += partitions.size();
    seen.insert(partitions.begin(), partitions.end());
  }
  size_t expected = 0;
  for (const auto& [topic, count] : topics)
    expected += count;
  EXPECT_EQ(total, expected) << "a partition was assigned twice";
  EXPECT_EQ(seen.size(), expected);
}

void ExpectBalanced(const std::map<std::string, PartitionSet>& result) {
  size_t min = SIZE_MAX, max = 0;
  for (const auto& [id, partitions] : result) {
    min = std::min(min, partitions.size());
    max = std::max(max, partitions.size());
  }
  EXPECT_LE(max - min, 1u);
}

size_t Kept(const PartitionSet& before, const PartitionSet& after) {
  return std::count_if(before.begin(), before.end(),
                       [&](const GroupPartition& p) { return after.count(p) > 0; });
}

TEST(AssignorTest, SpreadsPartitionsEvenly) {
  const TopicPartitionCounts topics = {{"orders", 10}};
  auto result =
      Assign({Member("a", {"orders"}), Member("b", {"orders"}), Member("c", {"orders"})}, topics);
  ExpectComplete(result, topics);
  ExpectBalanced(result);
  EXPECT_EQ(result["a"].size(), 4u);  // ties go to the lowest member id
}

TEST(AssignorTest, AJoinMovesOnlyWhatTheNewMemberNeeds) {
  const TopicPartitionCounts topics = {{"t", 12}};
  auto before = Assign({Member("a", {"t"}), Member("b", {"t"}), Member("c", {"t"})}, topics);
  auto after = Assign({Member("a", {"t"}, before["a"]), Member("b", {"t"}, before["b"]),
                       Member("c", {"t"}, before["c"]), Member("d", {"t"})},
                      topics);
  ExpectComplete(after, topics);
  ExpectBalanced(after);
  // 4/4/4 -> 3/3/3/3: each old member gives exactly one partition to the new one.
  for (const char* id : {"a", "b", "c"})
    EXPECT_EQ(Kept(before[id], after[id]), 3u) << id;
  EXPECT_EQ(after["d"].size(), 3u);
}

TEST(AssignorTest, ALeaveMovesOnlyTheLeaversPartitions) {
  const TopicPartitionCounts topics = {{"t", 12}};
  auto before = Assign(
      {Member("a", {"t"}), Member("b", {"t"}), Member("c", {"t"}), Member("d", {"t"})}, topics);
  auto after = Assign({Member("a", {"t"}, before["a"]), Member("b", {"t"}, before["b"]),
                       Member("c", {"t"}, before["c"])},
                      topics);
  ExpectComplete(after, topics);
  ExpectBalanced(after);
  for (const char* id : {"a", "b", "c"})
    EXPECT_EQ(Kept(before[id], after[id]), before[id].size()) << id;
}

TEST(AssignorTest, OnlySubscribedMembersGetATopic) {
  const TopicPartitionCounts topics = {{"t1", 4}, {"t2", 4}};
  auto result = Assign({Member("a", {"t1"}), Member("b", {"t1", "t2"})}, topics);
  ExpectComplete(result, topics);
  for (const GroupPartition& p : result["a"])
    EXPECT_EQ(p.topic, "t1");
  // Balanced as far as eligibility allows: b has all of t2, a takes most of t1.
  EXPECT_EQ(result["a"].size(), 4u);
  EXPECT_EQ(result["b"].size(), 4u);
}

TEST(AssignorTest, DropsVanishedPartitionsAndSpreadsNewOnes) {
  PartitionSet previous_a = {{"gone", 0}, {"t", 0}, {"t", 1}};
  PartitionSet previous_b = {{"t", 2}, {"t", 3}};
  const TopicPartitionCounts topics = {{"t", 8}};
  auto result =
      Assign({Member("a", {"t", "gone"}, previous_a), Member("b", {"t"}, previous_b)}, topics);
  ExpectComplete(result, topics);
  ExpectBalanced(result);
  EXPECT_EQ(result["a"].count(GroupPartition{"gone", 0}), 0u);
  EXPECT_EQ(Kept({{"t", 0}, {"t", 1}}, result["a"]), 2u);
  EXPECT_EQ(Kept(previous_b, result["b"]), 2u);
}

TEST(AssignorTest, NoMembersOrNoSubscribersAssignNothing) {
  EXPECT_TRUE(Assign({}, {{"t", 3}}).empty());
  auto result = Assign({Member("a", {"other"})}, {{"t", 3}});
  EXPECT_TRUE(result["a"].empty());
}

TEST(AssignorTest, IsDeterministic) {
  const TopicPartitionCounts topics = {{"x", 7}, {"y", 5}};
  std::vector<AssignorMember> members = {Member("m2", {"x", "y"}), Member("m1", {"x"}),
                                         Member("m3", {"y"})};
  auto first = Assign(members, topics);
  std::reverse(members.begin(), members.end());
  EXPECT_EQ(Assign(members, topics), first);
}

// Random joins and leaves with identical subscriptions: always complete and balanced, and a
// surviving member keeps at least min(what it had, floor(partitions / members)).
TEST(AssignorTest, RandomMembershipChangesStayBalancedAndSticky) {
  std::mt19937 random(42);
  const TopicPartitionCounts topics = {{"a", 7}, {"b", 13}};
  const size_t total = 20;
  std::map<std::string, PartitionSet> current;
  int next_id = 0;
  for (int round = 0; round < 200; ++round) {
    const bool join = current.size() < 2 || (current.size() < 9 && random() % 2 == 0);
    if (join) {
      current["m" + std::to_string(next_id++)];
    } else {
      auto it = current.begin();
      std::advance(it, random() % current.size());
      current.erase(it);
    }
    std::vector<AssignorMember> members;
    for (const auto& [id, previous] : current)
      members.push_back(Member(id, {"a", "b"}, previous));
    auto result = Assign(members, topics);
    ExpectComplete(result, topics);
    ExpectBalanced(result);
    const size_t floor = total / current.size();
    for (const auto& [id, previous] : current) {
      EXPECT_GE(Kept(previous, result[id]), std::min(previous.size(), floor)) << id;
    }
    current = result;
  }
}

}  // namespace
}  // namespace choreo::broker
