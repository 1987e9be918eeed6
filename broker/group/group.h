// ConsumerGroup: the coordinator's state for one group — members, epochs, the target assignment
// and who currently holds which partition — and the rules that move partitions between members.
//
// Epochs. The group epoch increases whenever the target assignment must be recomputed: a member
// joins or is removed, a subscription changes, or the subscribed topics change (created, deleted,
// partitions added). A member's epoch increases whenever the assignment it is given changes, to
// max(member epoch + 1, group epoch).
//
// Incremental hand-over. A member X "holds" a partition while it is in X's last given assignment
// or in the `owned` set X reported in its last heartbeat. A heartbeat gives a member its target
// minus every partition another member holds, so a partition moves only after its previous owner
// has reported it released (after revoking and committing) or has been removed, and partitions
// that do not move are never taken away.
//
// Liveness. Each heartbeat extends a member's session by its session timeout; a member whose
// session expired is removed. A member that still holds a partition it was asked to give up
// longer than its rebalance timeout is removed too. Expiry is evaluated lazily: every operation
// first calls Expire(now), so no timer is needed and tests inject the clock through `now`.
//
// Static membership. A member with an instance id that leaves with epoch -2 keeps its target
// (its partitions wait for it, unconsumed) until its session expires; a join with the same
// instance id, before that, takes the entry over (a new member id, the same assignment, no group
// epoch change). A join with the instance id of a live member also takes over and fences the old
// member id: static membership assumes one live process per instance id.
//
// Threading: none; the coordinator serializes all access under its lock.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/group_types.h"
#include "broker/group/subscription.h"
#include "broker/group/topic_source.h"

namespace choreo::broker {

struct GroupOptions {
  // Session timeout of a member that does not ask for one. Default: 10 s.
  absl::Duration default_session_timeout = absl::Seconds(10);
  // Bounds on the session timeout a member may ask for (clamped). Defaults: 100 ms, 5 min.
  absl::Duration min_session_timeout = absl::Milliseconds(100);
  absl::Duration max_session_timeout = absl::Minutes(5);
  // Heartbeat interval handed to members: at most this, and at most a third of the member's
  // session timeout. A member waiting for a partition another member still holds is asked to
  // come back four times as often, and any member right after another member's deadline.
  // Default: 1 s.
  absl::Duration heartbeat_interval = absl::Seconds(1);
  // Rebalance timeout of a member that does not ask for one. Default: 60 s.
  absl::Duration default_rebalance_timeout = absl::Seconds(60);
};

// Why a member was removed, for logging.
struct RemovedMember {
  std::string member_id;
  std::string reason;
};

class ConsumerGroup {
 public:
  // With `hold_from`, the group existed before the broker (re)started at that time: its members
  // are given no partitions until one session timeout after it (see GroupCoordinator).
  ConsumerGroup(std::string group_id, const GroupOptions& options,
                std::optional<absl::Time> hold_from = std::nullopt);

  const std::string& id() const { return group_id_; }
  int32_t group_epoch() const { return group_epoch_; }
  bool empty() const { return members_.empty(); }
  std::string state() const;

  // Removes members whose session or rebalance deadline has passed at `now`.
  std::vector<RemovedMember> Expire(absl::Time now, const TopicSource& topics);

  // Join (epoch 0, with a member id chosen by the caller), heartbeat, or leave (-1 / -2).
  // Errors: kUnknownMember (not a member, or fenced by a newer static member), kIllegalGeneration
  // (an epoch that is neither the member's current nor its previous one), kInvalidRequest (a join
  // without subscription, a bad pattern).
  absl::StatusOr<HeartbeatOutput> Heartbeat(const HeartbeatInput& input, const TopicSource& topics,
                                            absl::Time now);

  // Fencing for an offset commit. With an empty member id (an administrative commit) the group
  // must have no members: kGroupNotEmpty otherwise. Else the member must exist (kUnknownMember)
  // and `member_epoch` be its current or previous epoch (kIllegalGeneration): the previous one is
  // accepted because a commit sent just before a heartbeat bumped the epoch is still legitimate.
  // On OK, `partition_errors` gets one status per partition: kIllegalGeneration for a partition
  // the member does not hold.
  absl::Status CheckCommit(const std::string& member_id, int32_t member_epoch,
                           const std::vector<GroupPartition>& partitions,
                           std::vector<absl::Status>* partition_errors) const;

  GroupSnapshot Snapshot() const;

 private:
  struct Member {
    std::string id;
    std::string instance_id;
    std::string client_id;
    int32_t epoch = 0;
    int32_t previous_epoch = -1;
    Subscription subscription;
    absl::Duration session_timeout;
    absl::Duration rebalance_timeout;
    absl::Time session_deadline;
    std::optional<absl::Time> revoke_deadline;  // set while it holds partitions it must give up
    bool left_static = false;                   // left with -2; waits for its instance to rejoin
    PartitionSet target;
    PartitionSet assigned;  // last given in a heartbeat answer
    PartitionSet owned;     // last reported by the member
  };

  absl::StatusOr<Member*> Join(const HeartbeatInput& input, absl::Time now);
  absl::StatusOr<HeartbeatOutput> Leave(const HeartbeatInput& input, const TopicSource& topics);
  void Remove(const std::string& member_id);
  // A member joined, left or changed its subscription: the group epoch moves, and the next
  // Refresh() resolves the subscriptions again.
  void SubscriptionsChanged();
  // Updates the topic metadata and, after any change since the last call, the target assignment.
  // The subscriptions are resolved against the topics (a pattern against every topic) only when
  // they or the topics (TopicSource::generation()) changed since the last resolve, so a heartbeat
  // in a steady group costs nothing per topic in the broker.
  void Refresh(const TopicSource& topics);
  void ComputeTargets();
  // Gives `member` its target minus what others hold; bumps its epoch if that changed.
  void Reconcile(Member& member, absl::Time now);
  HeartbeatOutput Answer(const Member& member, absl::Time now) const;
  absl::Duration SessionTimeout(uint32_t requested_ms) const;

  const std::string group_id_;
  const GroupOptions options_;
  const std::optional<absl::Time> hold_from_;
  int32_t group_epoch_ = 0;
  bool targets_stale_ = false;  // the group epoch moved since the targets were computed
  GroupTopicMetadata metadata_;
  bool resolve_needed_ = true;             // subscriptions changed since metadata_ was resolved
  uint64_t resolved_generation_ = 0;       // TopicSource::generation() metadata_ was resolved at
  std::map<std::string, Member> members_;  // by member id
};

}  // namespace choreo::broker
