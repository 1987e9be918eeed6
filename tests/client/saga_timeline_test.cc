// The model behind `choreo saga show`: causation tree, group progress from committed offsets and
// saga bitmaps, dead-letter copies.
#include "client/cli/saga_timeline.h"

#include <gtest/gtest.h>

#include "client/saga/offset_tracker.h"

namespace choreo::cli {
namespace {

IndexedEvent Event(std::string id, std::string cause, std::string topic, int64_t offset,
                   int64_t time_ms, std::string dlq_kind = "") {
  IndexedEvent e;
  e.topic = std::move(topic);
  e.partition = 0;
  e.offset = offset;
  e.time_ms = time_ms;
  e.type = "t." + id;
  e.source = "svc";
  e.event_id = std::move(id);
  e.saga_id = "s";
  e.causation_id = std::move(cause);
  e.key = "s";
  e.dlq_kind = std::move(dlq_kind);
  return e;
}

std::vector<std::string> Ids(const SagaTimeline& t, const std::vector<int>& indices) {
  std::vector<std::string> out;
  for (int i : indices)
    out.push_back(t.events[i].event.event_id);
  return out;
}

TEST(SagaTimelineTest, CausationTreeFollowsCausationIds) {
  // e1 -> e2 -> e4, e1 -> e3; e5's cause is not indexed; e6 has a cause written later in time
  // (clock skew between services) and still hangs under it.
  const SagaTimeline t =
      BuildTimeline("s",
                    {Event("e1", "", "a", 0, 100), Event("e2", "e1", "b", 0, 200),
                     Event("e6", "e4", "c", 1, 250), Event("e3", "e1", "b", 1, 300),
                     Event("e4", "e2", "c", 0, 400), Event("e5", "gone", "a", 1, 500)},
                    {});
  ASSERT_EQ(t.events.size(), 6u);
  EXPECT_EQ(Ids(t, t.roots), (std::vector<std::string>{"e1", "e5"}));
  EXPECT_EQ(Ids(t, t.events[0].children), (std::vector<std::string>{"e2", "e3"}));
  EXPECT_EQ(Ids(t, t.events[1].children), (std::vector<std::string>{"e4"}));
  EXPECT_EQ(Ids(t, t.events[4].children), (std::vector<std::string>{"e6"}));
  EXPECT_EQ(t.events[2].parent, 4);
  EXPECT_EQ(t.events[5].parent, -1);
  EXPECT_TRUE(t.dead_letters.empty());
}

TEST(SagaTimelineTest, CausationCyclesAreBrokenAtTheEarliestEvent) {
  // x -> y -> z -> x (bad headers), plus w caused by itself.
  const SagaTimeline t = BuildTimeline("s",
                                       {Event("x", "z", "a", 0, 1), Event("y", "x", "a", 1, 2),
                                        Event("z", "y", "a", 2, 3), Event("w", "w", "a", 3, 4)},
                                       {});
  EXPECT_EQ(Ids(t, t.roots), (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(Ids(t, t.events[0].children), (std::vector<std::string>{"y"}));
  EXPECT_EQ(Ids(t, t.events[1].children), (std::vector<std::string>{"z"}));
  EXPECT_TRUE(t.events[2].children.empty());
  EXPECT_TRUE(t.events[3].children.empty());
}

TEST(SagaTimelineTest, GroupsFromCommittedOffsetsAndSagaBitmaps) {
  // "orders"/0 holds the saga's events at offsets 5, 7 and 9.
  std::vector<IndexedEvent> events = {Event("e5", "", "orders", 5, 1),
                                      Event("e7", "e5", "orders", 7, 2),
                                      Event("e9", "e7", "orders", 9, 3)};
  const TopicPartition orders{"orders", 0};
  std::vector<GroupCommit> commits = {
      // Plain consumer: everything below 8 is handled.
      {"plain", orders, 8, ""},
      // A saga service: lowest unfinished 5, but 7 finished above it.
      {"payments", orders, 5,
       saga::internal::EncodeCommitMetadata({.offset = 5, .finished_above = {7}})},
      // Another partition and another topic do not count.
      {"other", TopicPartition{"orders", 1}, 100, ""},
      {"other", TopicPartition{"payments", 0}, 100, ""},
  };
  const SagaTimeline t = BuildTimeline("s", std::move(events), commits);
  auto states = [&](int i) {
    std::vector<std::string> out;
    for (const GroupProgress& g : t.events[i].groups)
      out.push_back(g.group + "=" + std::string(GroupEventStateName(g.state)));
    return out;
  };
  EXPECT_EQ(states(0), (std::vector<std::string>{"payments=pending", "plain=handled"}));
  EXPECT_EQ(states(1), (std::vector<std::string>{"payments=handled", "plain=handled"}));
  EXPECT_EQ(states(2), (std::vector<std::string>{"payments=pending", "plain=pending"}));
}

TEST(SagaTimelineTest, DeadLetterCopiesMarkTheirGroupsEvent) {
  const TopicPartition orders{"orders", 0};
  const SagaTimeline t =
      BuildTimeline("s",
                    {Event("e1", "", "orders", 0, 1), Event("e2", "e1", "orders", 1, 2),
                     Event("e1", "", "payments.dlq", 0, 1, "dead"),
                     Event("e2", "e1", "payments.dlq", 1, 2, "parked"),
                     Event("e2", "e1", "custom-dead-letters", 0, 2, "dead")},
                    // The saga layer commits past dead and parked events.
                    {{"payments", orders, 2, ""}});
  ASSERT_EQ(t.events.size(), 2u);
  ASSERT_EQ(t.dead_letters.size(), 3u);
  ASSERT_EQ(t.events[0].groups.size(), 1u);
  EXPECT_EQ(t.events[0].groups[0].group, "payments");
  EXPECT_EQ(t.events[0].groups[0].state, GroupEventState::kDead);
  EXPECT_EQ(t.events[0].dead_letters, (std::vector<int>{0}));
  ASSERT_EQ(t.events[1].groups.size(), 1u);
  EXPECT_EQ(t.events[1].groups[0].state, GroupEventState::kParked);
  // A copy in a topic not named after a group is listed with the event but names no group.
  EXPECT_EQ(t.events[1].dead_letters, (std::vector<int>{1, 2}));
  // The copies stay out of the tree.
  EXPECT_EQ(t.roots, (std::vector<int>{0}));
}

}  // namespace
}  // namespace choreo::cli
