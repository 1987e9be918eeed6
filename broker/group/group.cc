#include "broker/group/group.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <utility>

#include "broker/group/assignor.h"
#include "broker/group/group_errors.h"

namespace choreo::broker {
namespace {

std::string Describe(const GroupPartition& p) {
  return absl::StrCat(p.topic, "/", p.partition);
}

}  // namespace

ConsumerGroup::ConsumerGroup(std::string group_id, const GroupOptions& options,
                             std::optional<absl::Time> hold_from)
    : group_id_(std::move(group_id)), options_(options), hold_from_(hold_from) {}

std::string ConsumerGroup::state() const {
  if (members_.empty()) return kStateEmpty;
  for (const auto& [id, member] : members_) {
    if (member.left_static) continue;
    if (member.assigned != member.target || member.owned != member.target) {
      return kStateReconciling;
    }
  }
  return kStateStable;
}

std::vector<RemovedMember> ConsumerGroup::Expire(absl::Time now, const TopicSource& topics) {
  std::vector<RemovedMember> removed;
  for (const auto& [id, member] : members_) {
    if (now > member.session_deadline) {
      removed.push_back({id, absl::StrCat("no heartbeat within its session timeout of ",
                                          absl::FormatDuration(member.session_timeout))});
    } else if (member.revoke_deadline && now > *member.revoke_deadline) {
      removed.push_back({id, absl::StrCat("did not release revoked partitions within its "
                                          "rebalance timeout of ",
                                          absl::FormatDuration(member.rebalance_timeout))});
    }
  }
  for (const RemovedMember& gone : removed)
    Remove(gone.member_id);
  if (!removed.empty()) Refresh(topics);
  return removed;
}

absl::StatusOr<HeartbeatOutput> ConsumerGroup::Heartbeat(const HeartbeatInput& input,
                                                         const TopicSource& topics,
                                                         absl::Time now) {
  if (input.member_epoch == kLeaveEpoch || input.member_epoch == kStaticLeaveEpoch) {
    absl::StatusOr<HeartbeatOutput> left = Leave(input, topics);
    if (left.ok()) {
      auto it = members_.find(input.member_id);
      if (it != members_.end()) it->second.session_deadline = now + it->second.session_timeout;
    }
    return left;
  }
  Member* member = nullptr;
  if (input.member_epoch == kJoinEpoch) {
    absl::StatusOr<Member*> joined = Join(input, now);
    if (!joined.ok()) return joined.status();
    member = *joined;
  } else {
    auto it = members_.find(input.member_id);
    if (it == members_.end() || it->second.left_static) {
      return MakeGroupError(GroupErrorKind::kUnknownMember,
                            absl::StrCat("member '", input.member_id, "' is not in group '",
                                         group_id_, "' (removed, left or fenced); rejoin"));
    }
    member = &it->second;
    if (input.member_epoch != member->epoch && input.member_epoch != member->previous_epoch) {
      return MakeGroupError(GroupErrorKind::kIllegalGeneration,
                            absl::StrCat("member epoch ", input.member_epoch, " is stale (current ",
                                         member->epoch, "); rejoin"));
    }
    if (!input.subscribed_topics.empty() || !input.subscribed_pattern.empty()) {
      absl::StatusOr<Subscription> subscription =
          Subscription::Make(input.subscribed_topics, input.subscribed_pattern);
      if (!subscription.ok()) return subscription.status();
      if (!(*subscription == member->subscription)) {
        member->subscription = *std::move(subscription);
        SubscriptionsChanged();
      }
    }
  }
  member->session_deadline = now + member->session_timeout;
  member->owned = input.owned;
  if (!input.client_id.empty()) member->client_id = input.client_id;
  Refresh(topics);
  Reconcile(*member, now);
  return Answer(*member, now);
}

absl::StatusOr<ConsumerGroup::Member*> ConsumerGroup::Join(const HeartbeatInput& input,
                                                           absl::Time now) {
  absl::StatusOr<Subscription> subscription =
      Subscription::Make(input.subscribed_topics, input.subscribed_pattern);
  if (!subscription.ok()) return subscription.status();
  if (subscription->empty()) {
    return MakeGroupError(GroupErrorKind::kInvalidRequest,
                          "a join must subscribe to topics or a pattern");
  }
  auto existing = members_.find(input.member_id);
  if (!input.instance_id.empty() && existing == members_.end()) {
    existing = std::find_if(members_.begin(), members_.end(), [&](const auto& entry) {
      return entry.second.instance_id == input.instance_id;
    });
  }
  if (existing == members_.end()) {
    Member member;
    member.id = input.member_id;
    member.instance_id = input.instance_id;
    member.client_id = input.client_id;
    member.subscription = *subscription;  // counted by the join's epoch bump below
    existing = members_.emplace(member.id, std::move(member)).first;
    SubscriptionsChanged();
  } else if (existing->first != input.member_id) {
    // Static takeover: the new member id inherits the entry (and its target); the old id is
    // fenced from now on.
    Member member = std::move(existing->second);
    members_.erase(existing);
    member.id = input.member_id;
    existing = members_.emplace(member.id, std::move(member)).first;
  }
  Member& member = existing->second;
  member.left_static = false;
  // Forget what was given before the (re)join: the member starts over from what it reports
  // owning, and the changed answer bumps its epoch, fencing commits of the earlier incarnation.
  member.assigned.clear();
  member.revoke_deadline.reset();
  member.session_timeout = SessionTimeout(input.session_timeout_ms);
  member.rebalance_timeout = input.rebalance_timeout_ms > 0
                                 ? absl::Milliseconds(input.rebalance_timeout_ms)
                                 : options_.default_rebalance_timeout;
  if (!(*subscription == member.subscription)) {
    member.subscription = *std::move(subscription);
    SubscriptionsChanged();
  }
  member.previous_epoch = member.epoch;
  member.epoch = std::max(member.epoch + 1, group_epoch_);
  member.session_deadline = now + member.session_timeout;
  return &member;
}

absl::StatusOr<HeartbeatOutput> ConsumerGroup::Leave(const HeartbeatInput& input,
                                                     const TopicSource& topics) {
  HeartbeatOutput out;
  out.member_id = input.member_id;
  out.member_epoch = input.member_epoch;
  out.group_epoch = group_epoch_;
  auto it = members_.find(input.member_id);
  if (it == members_.end()) return out;  // leaving twice is fine
  Member& member = it->second;
  if (input.member_epoch == kStaticLeaveEpoch && !member.instance_id.empty()) {
    // Keeps its target until its session expires; it consumes nothing meanwhile.
    member.left_static = true;
    member.assigned.clear();
    member.owned.clear();
    member.revoke_deadline.reset();
    return out;
  }
  out.member_epoch = kLeaveEpoch;
  Remove(input.member_id);
  Refresh(topics);
  out.group_epoch = group_epoch_;
  return out;
}

void ConsumerGroup::Remove(const std::string& member_id) {
  if (members_.erase(member_id) == 0) return;
  SubscriptionsChanged();
}

void ConsumerGroup::SubscriptionsChanged() {
  ++group_epoch_;
  targets_stale_ = true;
  resolve_needed_ = true;
}

void ConsumerGroup::Refresh(const TopicSource& topics) {
  // Read before resolving: a topic change that lands during the resolve moves the generation past
  // this value, so the next heartbeat resolves again.
  const uint64_t generation = topics.generation();
  if (resolve_needed_ || generation != resolved_generation_) {
    std::optional<std::vector<storage::TopicInfo>> all;
    GroupTopicMetadata metadata;
    for (const auto& [id, member] : members_) {
      if (!member.subscription.pattern().empty() && !all) all = topics.List();
      member.subscription.Resolve(topics, all ? &*all : nullptr, &metadata);
    }
    resolved_generation_ = generation;
    resolve_needed_ = false;
    if (metadata != metadata_) {
      metadata_ = std::move(metadata);
      ++group_epoch_;
      targets_stale_ = true;
    }
  }
  if (targets_stale_) ComputeTargets();
  targets_stale_ = false;
}

void ConsumerGroup::ComputeTargets() {
  TopicPartitionCounts counts;
  for (const auto& [name, entry] : metadata_)
    counts[name] = entry.partitions;
  std::vector<AssignorMember> input;
  for (const auto& [id, member] : members_) {
    AssignorMember in{id, {}, member.target};
    for (const auto& [name, entry] : metadata_) {
      if (member.subscription.Matches(name)) in.topics.insert(name);
    }
    input.push_back(std::move(in));
  }
  std::map<std::string, PartitionSet> targets = AssignBalancedSticky(input, counts);
  for (auto& [id, member] : members_)
    member.target = std::move(targets[id]);
}

void ConsumerGroup::Reconcile(Member& member, absl::Time now) {
  PartitionSet held_by_others;
  for (const auto& [id, other] : members_) {
    if (id == member.id) continue;
    held_by_others.insert(other.owned.begin(), other.owned.end());
    held_by_others.insert(other.assigned.begin(), other.assigned.end());
  }
  PartitionSet next;
  // Right after a restart nobody knows who still consumes what: wait until every member from
  // before it has either rejoined (dropping its partitions first) or timed out on its own.
  const bool held = hold_from_ && now < *hold_from_ + member.session_timeout;
  for (const GroupPartition& p : member.target) {
    if (!held && held_by_others.count(p) == 0) next.insert(p);
  }
  if (next != member.assigned) {
    member.previous_epoch = member.epoch;
    member.epoch = std::max(member.epoch + 1, group_epoch_);
    member.assigned = std::move(next);
  }
  // Partitions it still owns that now belong to someone else start its rebalance clock.
  const bool must_release =
      std::any_of(member.owned.begin(), member.owned.end(), [&](const GroupPartition& p) {
        if (member.target.count(p) > 0) return false;
        auto topic = metadata_.find(p.topic);
        return topic != metadata_.end() && p.partition < topic->second.partitions;
      });
  if (!must_release) {
    member.revoke_deadline.reset();
  } else if (!member.revoke_deadline) {
    member.revoke_deadline = now + member.rebalance_timeout;
  }
}

HeartbeatOutput ConsumerGroup::Answer(const Member& member, absl::Time now) const {
  absl::Duration interval = std::min(options_.heartbeat_interval, member.session_timeout / 3);
  // Waiting for a partition another member is releasing: come back sooner to pick it up.
  if (member.assigned != member.target) interval /= 4;
  // Expiry is evaluated when the group is touched: if another member's deadline falls before
  // this member's next heartbeat, come back just after it, so a dead member's partitions move
  // at its session timeout rather than up to an interval later. Live members keep their
  // deadlines more than an interval ahead, so this costs nothing while all are well.
  for (const auto& [id, other] : members_) {
    if (id == member.id) continue;
    absl::Time deadline = other.session_deadline;
    if (other.revoke_deadline) deadline = std::min(deadline, *other.revoke_deadline);
    interval =
        std::min(interval, std::max(deadline - now, absl::ZeroDuration()) + absl::Milliseconds(5));
  }
  HeartbeatOutput out;
  out.member_id = member.id;
  out.member_epoch = member.epoch;
  out.heartbeat_interval_ms =
      static_cast<uint32_t>(std::max<int64_t>(1, absl::ToInt64Milliseconds(interval)));
  out.assignment = member.assigned;
  out.group_epoch = group_epoch_;
  return out;
}

absl::Duration ConsumerGroup::SessionTimeout(uint32_t requested_ms) const {
  if (requested_ms == 0) return options_.default_session_timeout;
  return std::clamp(absl::Milliseconds(requested_ms), options_.min_session_timeout,
                    options_.max_session_timeout);
}

absl::Status ConsumerGroup::CheckCommit(const std::string& member_id, int32_t member_epoch,
                                        const std::vector<GroupPartition>& partitions,
                                        std::vector<absl::Status>* partition_errors) const {
  partition_errors->assign(partitions.size(), absl::OkStatus());
  if (member_id.empty()) {
    if (members_.empty()) return absl::OkStatus();
    return MakeGroupError(GroupErrorKind::kGroupNotEmpty,
                          absl::StrCat("group '", group_id_, "' has ", members_.size(),
                                       " members; offsets can be set only while it has none"));
  }
  auto it = members_.find(member_id);
  if (it == members_.end() || it->second.left_static) {
    return MakeGroupError(GroupErrorKind::kUnknownMember,
                          absl::StrCat("member '", member_id, "' is not in group '", group_id_,
                                       "' (removed, left or fenced); its commit is rejected"));
  }
  const Member& member = it->second;
  if (member_epoch != member.epoch && member_epoch != member.previous_epoch) {
    return MakeGroupError(GroupErrorKind::kIllegalGeneration,
                          absl::StrCat("member epoch ", member_epoch, " is stale (current ",
                                       member.epoch, "); its commit is rejected"));
  }
  for (size_t i = 0; i < partitions.size(); ++i) {
    const GroupPartition& p = partitions[i];
    if (member.owned.count(p) == 0 && member.assigned.count(p) == 0) {
      (*partition_errors)[i] =
          MakeGroupError(GroupErrorKind::kIllegalGeneration,
                         absl::StrCat(Describe(p), " is not held by member '", member_id, "'"));
    }
  }
  return absl::OkStatus();
}

GroupSnapshot ConsumerGroup::Snapshot() const {
  GroupSnapshot out;
  out.group_id = group_id_;
  out.state = state();
  out.group_epoch = group_epoch_;
  for (const auto& [id, member] : members_) {
    out.members.push_back(MemberSnapshot{id, member.instance_id, member.client_id, member.epoch,
                                         member.assigned, member.target});
  }
  return out;
}

}  // namespace choreo::broker
