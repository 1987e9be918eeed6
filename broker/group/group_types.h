// Value types shared by the group coordinator's pieces (assignor, group, coordinator) and the
// group request handlers. Plain data: no locking, no I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "choreo/storage/log_store.h"

namespace choreo::broker {

// One partition of one topic, ordered by (topic, partition).
struct GroupPartition {
  std::string topic;
  storage::PartitionId partition = 0;

  friend bool operator==(const GroupPartition&, const GroupPartition&) = default;
  friend auto operator<=>(const GroupPartition&, const GroupPartition&) = default;
};

using PartitionSet = std::set<GroupPartition>;

// Member epochs sent by a member in place of its epoch (see ConsumerGroupHeartbeatRequest).
inline constexpr int32_t kJoinEpoch = 0;
inline constexpr int32_t kLeaveEpoch = -1;
inline constexpr int32_t kStaticLeaveEpoch = -2;

// A heartbeat as the group sees it, decoded from the wire by the handler.
struct HeartbeatInput {
  std::string member_id;  // empty on a join: the coordinator picks one
  int32_t member_epoch = kJoinEpoch;
  std::string instance_id;  // static membership; empty for a dynamic member
  std::string client_id;
  // The subscription; both empty means "unchanged" (a join must set one of them).
  std::vector<std::string> subscribed_topics;
  std::string subscribed_pattern;
  // 0 means the coordinator's default.
  uint32_t session_timeout_ms = 0;
  uint32_t rebalance_timeout_ms = 0;
  // What the member consumes right now: authoritative on every heartbeat.
  PartitionSet owned;
};

struct HeartbeatOutput {
  std::string member_id;
  int32_t member_epoch = 0;
  uint32_t heartbeat_interval_ms = 0;
  // The partitions the member may consume: its target minus what another member still holds.
  PartitionSet assignment;
  int32_t group_epoch = 0;
};

// Group states as reported by ListGroups/DescribeGroups.
inline constexpr char kStateEmpty[] = "empty";
inline constexpr char kStateStable[] = "stable";
inline constexpr char kStateReconciling[] = "reconciling";
inline constexpr char kStateDead[] = "dead";

struct MemberSnapshot {
  std::string member_id;
  std::string instance_id;
  std::string client_id;
  int32_t member_epoch = 0;
  PartitionSet assignment;  // what the member was last told it may consume
  PartitionSet target;      // what it will own once reconciliation completes
};

struct GroupSnapshot {
  std::string group_id;
  std::string state;
  int32_t group_epoch = 0;
  std::vector<MemberSnapshot> members;  // sorted by member id
};

struct GroupSummary {
  std::string group_id;
  std::string state;
  uint32_t members = 0;
};

}  // namespace choreo::broker
