#include "client/cli/saga_timeline.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "client/saga/offset_tracker.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kDeadLetterSuffix = ".dlq";

// Each commit with the offsets its saga bitmap marks finished, decoded once.
struct DecodedCommit {
  const GroupCommit* commit;
  std::set<int64_t> finished_above;
};

bool Handled(const DecodedCommit& c, int64_t offset) {
  return c.commit->offset > offset || c.finished_above.contains(offset);
}

// Parents from causation ids, then cycles broken: walking up from each event in time order, a walk
// that comes back to an event still on the walk has found a cycle; the event it came back to is
// cut loose (for the first walk through a cycle, that is the walk's start: the cycle's earliest).
void LinkCauses(SagaTimeline& timeline) {
  std::unordered_map<std::string_view, int> by_id;
  for (size_t i = 0; i < timeline.events.size(); ++i)
    by_id.emplace(timeline.events[i].event.event_id, static_cast<int>(i));
  for (TimelineEvent& e : timeline.events) {
    if (e.event.causation_id.empty()) continue;
    auto it = by_id.find(e.event.causation_id);
    if (it != by_id.end()) e.parent = it->second;
  }
  enum class Mark : uint8_t { kNew, kOnWalk, kDone };
  std::vector<Mark> marks(timeline.events.size(), Mark::kNew);
  std::vector<int> walk;
  for (size_t start = 0; start < timeline.events.size(); ++start) {
    walk.clear();
    int at = static_cast<int>(start);
    while (at >= 0 && marks[at] == Mark::kNew) {
      marks[at] = Mark::kOnWalk;
      walk.push_back(at);
      at = timeline.events[at].parent;
    }
    if (at >= 0 && marks[at] == Mark::kOnWalk) timeline.events[at].parent = -1;
    for (int i : walk)
      marks[i] = Mark::kDone;
  }
  for (size_t i = 0; i < timeline.events.size(); ++i) {
    const int parent = timeline.events[i].parent;
    if (parent < 0) {
      timeline.roots.push_back(static_cast<int>(i));
    } else {
      timeline.events[parent].children.push_back(static_cast<int>(i));
    }
  }
}

void SetState(std::vector<GroupProgress>& groups, const std::string& group, GroupEventState state) {
  for (GroupProgress& g : groups) {
    if (g.group == group) {
      g.state = state;
      return;
    }
  }
  groups.push_back(GroupProgress{group, state});
}

}  // namespace

std::string_view GroupEventStateName(GroupEventState state) {
  switch (state) {
    case GroupEventState::kHandled:
      return "handled";
    case GroupEventState::kPending:
      return "pending";
    case GroupEventState::kDead:
      return "dead";
    case GroupEventState::kParked:
      return "parked";
  }
  return "unknown";
}

SagaTimeline BuildTimeline(std::string saga_id, std::vector<IndexedEvent> events,
                           const std::vector<GroupCommit>& commits) {
  SagaTimeline timeline;
  timeline.saga_id = std::move(saga_id);
  for (IndexedEvent& event : events) {
    if (event.dlq_kind.empty()) {
      timeline.events.push_back(TimelineEvent{.event = std::move(event)});
    } else {
      timeline.dead_letters.push_back(std::move(event));
    }
  }
  LinkCauses(timeline);

  std::map<TopicPartition, std::vector<DecodedCommit>> by_partition;
  for (const GroupCommit& commit : commits) {
    by_partition[commit.partition].push_back(DecodedCommit{
        &commit, saga::internal::DecodeCommitMetadata(commit.offset, commit.metadata)});
  }
  std::unordered_map<std::string_view, int> first_by_id;
  for (size_t i = 0; i < timeline.events.size(); ++i) {
    TimelineEvent& e = timeline.events[i];
    first_by_id.emplace(e.event.event_id, static_cast<int>(i));
    auto it = by_partition.find(TopicPartition{e.event.topic, e.event.partition});
    if (it == by_partition.end()) continue;
    for (const DecodedCommit& c : it->second) {
      SetState(e.groups, c.commit->group,
               Handled(c, e.event.offset) ? GroupEventState::kHandled : GroupEventState::kPending);
    }
  }
  // A copy in "<group>.dlq" says what that group did with the original (same ce_id) instead:
  // the saga layer commits past dead and parked events.
  for (size_t d = 0; d < timeline.dead_letters.size(); ++d) {
    const IndexedEvent& copy = timeline.dead_letters[d];
    auto original = first_by_id.find(copy.event_id);
    if (original == first_by_id.end()) continue;
    TimelineEvent& e = timeline.events[original->second];
    e.dead_letters.push_back(static_cast<int>(d));
    const std::string_view topic = copy.topic;
    if (topic.size() > kDeadLetterSuffix.size() && topic.ends_with(kDeadLetterSuffix)) {
      const std::string group(topic.substr(0, topic.size() - kDeadLetterSuffix.size()));
      const GroupEventState state =
          copy.dlq_kind == "dead" ? GroupEventState::kDead : GroupEventState::kParked;
      // A dead letter outranks a parked copy of the same event (a replay can park it again).
      bool dead_already = false;
      for (const GroupProgress& g : e.groups)
        dead_already = dead_already || (g.group == group && g.state == GroupEventState::kDead);
      if (!dead_already) SetState(e.groups, group, state);
    }
  }
  for (TimelineEvent& e : timeline.events) {
    std::sort(e.groups.begin(), e.groups.end(),
              [](const GroupProgress& a, const GroupProgress& b) { return a.group < b.group; });
  }
  return timeline;
}

}  // namespace choreo::cli
