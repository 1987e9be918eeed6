// The balanced sticky assignor: which member of a group should own which partition.
//
// A pure function of its inputs, so it is unit-tested without a broker. Rules, in order:
//   1. Sticky: a member keeps every partition of its previous assignment that still exists and
//      that it is still subscribed to (each partition at most once).
//   2. Fill: every partition nobody kept goes to the eligible (subscribed) member with the fewest
//      partitions, ties broken by member id.
//   3. Balance: while some member A has at least two partitions more than a member B that is
//      subscribed to one of A's topics, one such partition moves from A to B (the most loaded A
//      first, the least loaded B first).
// With identical subscriptions this ends with every member at floor or ceil of
// partitions/members, and a member gives partitions up only while it is above the ceiling, or at
// it when more members are there than the remainder allows: the fewest moves that reach such a
// balance. With different subscriptions it balances as far as
// single moves between eligible members can (not a global optimum; documented, not promised).
// Deterministic: the same inputs give the same output.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/group/group_types.h"

namespace choreo::broker {

struct AssignorMember {
  std::string member_id;
  std::set<std::string> topics;  // resolved subscription
  PartitionSet previous;         // the member's previous target assignment
};

// Topic name -> partition count, for every topic any member is subscribed to.
using TopicPartitionCounts = std::map<std::string, uint32_t>;

// The new target assignment: one entry per member (possibly empty), keyed by member id. Every
// partition of a topic some member subscribes to is assigned to exactly one subscribed member.
std::map<std::string, PartitionSet> AssignBalancedSticky(const std::vector<AssignorMember>& members,
                                                         const TopicPartitionCounts& topics);

}  // namespace choreo::broker
