// GroupCoordinator: owns every consumer group's in-memory state (see group.h for the rules) and
// serializes access to it. Group state is not durable: after a broker restart members rejoin
// (their heartbeats get UNKNOWN_MEMBER_ID). Committed offsets are durable, in the log store; the
// offset handlers call CheckCommit() here for fencing, then the store.
//
// A group exists here while it has members; one whose last member left or expired is dropped
// (its committed offsets stay in the store, where ListGroups and DescribeGroups also find it).
//
// Time: every method takes `now`, so tests drive expiry with an injected clock; the handlers pass
// absl::Now(). Expired members of a group are removed whenever the group is touched.
//
// Threading: thread-safe. Each group has its own lock, so operations on different groups run in
// parallel; the map of groups has another, held only to find, add or drop a group (never while a
// group's lock is awaited). Methods never block on I/O: they may run on network threads. `topics`
// is borrowed and must outlive the coordinator.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "broker/group/classic_coordinator.h"
#include "broker/group/group.h"
#include "broker/group/group_types.h"
#include "broker/group/topic_source.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

// OK if the options are usable: positive durations, min <= default <= max session timeout.
// InvalidArgument otherwise.
absl::Status ValidateGroupOptions(const GroupOptions& options);

class GroupCoordinator {
 public:
  GroupCoordinator(const GroupOptions& options, const TopicSource& topics);

  // A join, heartbeat or leave (see ConsumerGroup::Heartbeat). A join without a member id gets a
  // fresh random one. Errors: kInvalidRequest (bad group id), and ConsumerGroup's.
  absl::StatusOr<HeartbeatOutput> Heartbeat(std::string_view group_id, HeartbeatInput input,
                                            absl::Time now);

  // Fencing for an offset commit (see ConsumerGroup::CheckCommit). A group without members
  // accepts only administrative commits (empty member id); a member id there is kUnknownMember.
  absl::Status CheckCommit(std::string_view group_id, const std::string& member_id,
                           int32_t member_epoch, const std::vector<GroupPartition>& partitions,
                           absl::Time now, std::vector<absl::Status>* partition_errors);

  // The group's state, or std::nullopt if it has no members. A Kafka group (classic()) is
  // described as ToGroupSnapshot() says.
  std::optional<GroupSnapshot> Describe(std::string_view group_id, absl::Time now);
  // Every group with members, Kafka groups included, sorted by id.
  std::vector<GroupSummary> List(absl::Time now);
  // OK if the group has no members (so its offsets may be deleted), else kGroupNotEmpty.
  absl::Status CheckDeletable(std::string_view group_id, absl::Time now);

  // After a broker restart: the groups that existed before it (those with committed offsets). A
  // member of one of them that joins within its session timeout of `started_at` gets no
  // partitions until that much time has passed, because the coordinator forgot who was consuming
  // what, and a member from before the restart may go on consuming for up to its session timeout
  // before it notices. New groups are not held.
  void HoldAfterRestart(const std::vector<std::string>& group_ids, absl::Time started_at);

  // OK if `group_id` can name a group: 1 to storage::kMaxGroupIdLength bytes. kInvalidRequest
  // otherwise.
  static absl::Status ValidateGroupId(std::string_view group_id);

  // The groups of Kafka's classic protocol (the Kafka listener's JoinGroup/SyncGroup). A group id
  // has members of one kind at a time: a native join while the classic group has members is
  // refused (kInvalidRequest), as is an administrative commit or a deletion (kGroupNotEmpty).
  ClassicGroupCoordinator& classic() { return classic_; }

 private:
  // One group id's place in the map, with the lock that serializes operations on its group.
  // Lock order: mu_ before any Slot::mu.
  struct Slot {
    explicit Slot(std::optional<absl::Time> hold) : hold_from(hold) {}
    const std::optional<absl::Time> hold_from;  // from held_, when the slot was made
    Mutex mu;
    // nullptr while the group has no members (then the slot is dropped soon after).
    std::unique_ptr<ConsumerGroup> group CHOREO_GUARDED_BY(mu);
    bool dropped CHOREO_GUARDED_BY(mu) = false;  // no longer in slots_: look the id up again
  };

  // Runs `fn(std::unique_ptr<ConsumerGroup>& group, std::optional<absl::Time> hold_from)` under
  // the group's lock, after removing its expired members (`group` is null if none are left);
  // `fn` may create the group. Without a slot for the id (and `create` false), `group` is null
  // and nothing is locked. Drops the slot afterwards if the group has no members.
  template <typename Fn>
  auto WithGroup(std::string_view group_id, absl::Time now, bool create, Fn&& fn);
  std::shared_ptr<Slot> FindSlot(std::string_view group_id, bool create) CHOREO_EXCLUDES(mu_);
  void DropIfEmpty(std::string_view group_id, const std::shared_ptr<Slot>& slot)
      CHOREO_EXCLUDES(mu_);
  // Removes the group's expired members; resets it if none are left.
  void Expire(Slot& slot, absl::Time now) CHOREO_REQUIRES(slot.mu);
  std::string NewMemberId() CHOREO_EXCLUDES(random_mu_);
  // Whether the group has native members (for classic(): it refuses to mix).
  bool HasNativeMembers(std::string_view group_id, absl::Time now);
  std::optional<GroupSnapshot> DescribeNative(std::string_view group_id, absl::Time now);

  const GroupOptions options_;
  const TopicSource& topics_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<Slot>, std::less<>> slots_ CHOREO_GUARDED_BY(mu_);
  // Groups from before a restart, and when the broker started (see HoldAfterRestart).
  std::map<std::string, absl::Time, std::less<>> held_ CHOREO_GUARDED_BY(mu_);
  Mutex random_mu_;  // a leaf: taken under a group's lock
  std::mt19937_64 random_ CHOREO_GUARDED_BY(random_mu_);
  // Taken under a native group's lock (never the reverse: it asks this coordinator unlocked).
  ClassicGroupCoordinator classic_;
};

}  // namespace choreo::broker
