#include "broker/group/assignor.h"

#include <algorithm>

namespace choreo::broker {
namespace {

struct Slot {
  const AssignorMember* member;
  PartitionSet* owned;
};

bool Subscribes(const Slot& slot, const std::string& topic) {
  return slot.member->topics.count(topic) > 0;
}

// The least loaded member subscribed to `topic`, or nullptr.
Slot* LeastLoaded(std::vector<Slot>& slots, const std::string& topic) {
  Slot* best = nullptr;
  for (Slot& slot : slots) {
    if (!Subscribes(slot, topic)) continue;
    if (best == nullptr || slot.owned->size() < best->owned->size()) best = &slot;
  }
  return best;
}

// Performs one balancing move; false when no member can give a partition to one that has at
// least two fewer. Each move lowers the sum of squared loads, so repeating it terminates.
bool MoveOne(std::vector<Slot>& slots) {
  std::vector<Slot*> by_load;
  for (Slot& slot : slots)
    by_load.push_back(&slot);
  // Most loaded first; stable, so ties keep member-id order.
  std::stable_sort(by_load.begin(), by_load.end(), [](const Slot* a, const Slot* b) {
    return a->owned->size() > b->owned->size();
  });
  for (Slot* donor : by_load) {
    for (auto it = by_load.rbegin(); it != by_load.rend(); ++it) {
      Slot* taker = *it;
      if (taker->owned->size() + 2 > donor->owned->size()) break;  // nobody lighter is left
      // The donor's highest partition the taker may own, so low partitions stay put.
      for (auto p = donor->owned->rbegin(); p != donor->owned->rend(); ++p) {
        if (!Subscribes(*taker, p->topic)) continue;
        GroupPartition moved = *p;
        donor->owned->erase(moved);
        taker->owned->insert(std::move(moved));
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::map<std::string, PartitionSet> AssignBalancedSticky(const std::vector<AssignorMember>& members,
                                                         const TopicPartitionCounts& topics) {
  std::map<std::string, PartitionSet> result;
  std::vector<const AssignorMember*> sorted;
  for (const AssignorMember& member : members) {
    result[member.member_id];
    sorted.push_back(&member);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->member_id < b->member_id; });
  std::vector<Slot> slots;
  for (const AssignorMember* member : sorted)
    slots.push_back(Slot{member, &result[member->member_id]});

  // 1. Sticky.
  PartitionSet taken;
  for (Slot& slot : slots) {
    for (const GroupPartition& p : slot.member->previous) {
      auto topic = topics.find(p.topic);
      if (topic == topics.end() || p.partition >= topic->second) continue;
      if (!Subscribes(slot, p.topic) || !taken.insert(p).second) continue;
      slot.owned->insert(p);
    }
  }
  // 2. Fill.
  for (const auto& [topic, count] : topics) {
    for (uint32_t partition = 0; partition < count; ++partition) {
      GroupPartition p{topic, partition};
      if (taken.count(p) > 0) continue;
      Slot* slot = LeastLoaded(slots, topic);
      if (slot == nullptr) break;  // nobody subscribes to this topic
      slot->owned->insert(std::move(p));
    }
  }
  // 3. Balance.
  while (MoveOne(slots)) {
  }
  return result;
}

}  // namespace choreo::broker
