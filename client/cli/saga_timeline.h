// The model behind `choreo saga show`: a saga's indexed events in time order, the causation tree
// over them, which consumer groups have handled each one, and its dead-letter copies. Built from
// what the broker returns (Admin::FindEventsUpTo by saga, and the groups' committed offsets), with
// no I/O of its own, so it is tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/event_index.h"
#include "choreo/client/record.h"

namespace choreo::cli {

// One group's committed position on one partition (Admin::DescribeGroup's offsets).
struct GroupCommit {
  std::string group = {};
  TopicPartition partition = {};
  int64_t offset = 0;         // the next offset the group will consume there
  std::string metadata = {};  // the saga layer's "choreo-saga/1 <base64 bitmap>", or anything else
};

// Where one group stands with one event.
enum class GroupEventState {
  kHandled,  // its commit is past the event, or its saga bitmap marks the event finished
  kPending,  // it has a commit on the event's partition that is not past the event
  kDead,     // it dead-lettered the event (a copy with dlq_kind "dead" in "<group>.dlq"); a
             // replay since then is not visible in the index (`choreo dlq show` says)
  kParked,   // it parked the event behind a dead letter (dlq_kind "parked" in "<group>.dlq")
};

std::string_view GroupEventStateName(GroupEventState state);

struct GroupProgress {
  std::string group = {};
  GroupEventState state = GroupEventState::kPending;
};

struct TimelineEvent {
  IndexedEvent event = {};
  // The event whose ce_id is this one's causation id (index into SagaTimeline::events); -1 for a
  // root: a first event, or one whose cause is not among the saga's indexed events.
  int parent = -1;
  std::vector<int> children = {};  // in time order
  // Groups with a commit on the event's partition or a dead-letter copy of it, sorted by group.
  std::vector<GroupProgress> groups = {};
  // Its dead-letter copies (indices into SagaTimeline::dead_letters), whatever topic they are in.
  std::vector<int> dead_letters = {};
};

struct SagaTimeline {
  std::string saga_id = {};
  std::vector<TimelineEvent> events = {};       // time order; dead-letter copies are not here
  std::vector<int> roots = {};                  // the causation tree's roots, in time order
  std::vector<IndexedEvent> dead_letters = {};  // the copies (dlq_kind not empty), in time order
};

// `events` in the index's order (by time). Causation cycles (impossible with real event ids, but
// the headers are the producers' to write) are broken at the earliest event of the cycle, which
// becomes a root.
SagaTimeline BuildTimeline(std::string saga_id, std::vector<IndexedEvent> events,
                           const std::vector<GroupCommit>& commits);

}  // namespace choreo::cli
