#include "broker/group/coordinator.h"

#include <absl/strings/str_cat.h>

#include <cstdio>
#include <utility>

#include "broker/group/group_errors.h"
#include "broker/group/group_log.h"

namespace choreo::broker {
namespace {

constexpr size_t kMaxIdLength = 255;

ClassicCoordinatorOptions ClassicOptionsFrom(const GroupOptions& options) {
  ClassicCoordinatorOptions classic;
  classic.min_session_timeout = options.min_session_timeout;
  classic.max_session_timeout = options.max_session_timeout;
  return classic;
}

}  // namespace

absl::Status ValidateGroupOptions(const GroupOptions& options) {
  const absl::Duration zero = absl::ZeroDuration();
  if (options.min_session_timeout <= zero || options.heartbeat_interval <= zero ||
      options.default_rebalance_timeout <= zero) {
    return absl::InvalidArgumentError(
        "group session timeouts, heartbeat interval and rebalance timeout must be positive");
  }
  if (options.min_session_timeout > options.default_session_timeout ||
      options.default_session_timeout > options.max_session_timeout) {
    return absl::InvalidArgumentError("group session timeouts must satisfy min <= default <= max");
  }
  return absl::OkStatus();
}

GroupCoordinator::GroupCoordinator(const GroupOptions& options, const TopicSource& topics)
    : options_(options),
      topics_(topics),
      random_(std::random_device{}()),
      classic_(ClassicOptionsFrom(options), [this](std::string_view group_id, absl::Time now) {
        return HasNativeMembers(group_id, now);
      }) {}

void GroupCoordinator::HoldAfterRestart(const std::vector<std::string>& group_ids,
                                        absl::Time started_at) {
  MutexLock lock(&mu_);
  for (const std::string& id : group_ids)
    held_[id] = started_at;
}

absl::Status GroupCoordinator::ValidateGroupId(std::string_view group_id) {
  if (group_id.empty() || group_id.size() > storage::kMaxGroupIdLength) {
    return MakeGroupError(
        GroupErrorKind::kInvalidRequest,
        absl::StrCat("a group id must have 1 to ", storage::kMaxGroupIdLength, " bytes"));
  }
  return absl::OkStatus();
}

std::string GroupCoordinator::NewMemberId() {
  MutexLock lock(&random_mu_);
  char id[40];
  std::snprintf(id, sizeof(id), "m-%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  return id;
}

std::shared_ptr<GroupCoordinator::Slot> GroupCoordinator::FindSlot(std::string_view group_id,
                                                                   bool create) {
  MutexLock lock(&mu_);
  auto it = slots_.find(group_id);
  if (it != slots_.end()) return it->second;
  if (!create) return nullptr;
  std::optional<absl::Time> hold_from;
  if (auto held = held_.find(group_id); held != held_.end()) hold_from = held->second;
  auto slot = std::make_shared<Slot>(hold_from);
  slots_.emplace(std::string(group_id), slot);
  return slot;
}

void GroupCoordinator::DropIfEmpty(std::string_view group_id, const std::shared_ptr<Slot>& slot) {
  MutexLock lock(&mu_);
  Slot& s = *slot;
  MutexLock slot_lock(&s.mu);
  // Someone may have joined since the caller let go of the group's lock.
  if (s.dropped || (s.group != nullptr && !s.group->empty())) return;
  s.dropped = true;
  auto it = slots_.find(group_id);
  if (it != slots_.end() && it->second == slot) slots_.erase(it);
}

void GroupCoordinator::Expire(Slot& slot, absl::Time now) {
  if (slot.group == nullptr) return;
  for (const RemovedMember& removed : slot.group->Expire(now, topics_)) {
    GroupLog().info("group {}: removed member {}: {}", slot.group->id(), removed.member_id,
                    removed.reason);
  }
  if (slot.group->empty()) slot.group.reset();
}

template <typename Fn>
auto GroupCoordinator::WithGroup(std::string_view group_id, absl::Time now, bool create, Fn&& fn) {
  while (true) {
    std::shared_ptr<Slot> slot = FindSlot(group_id, create);
    if (slot == nullptr) {
      std::unique_ptr<ConsumerGroup> none;
      return fn(none, std::optional<absl::Time>());
    }
    Slot& s = *slot;
    std::optional<decltype(fn(s.group, s.hold_from))> result;
    bool empty = false;
    {
      MutexLock lock(&s.mu);
      if (s.dropped) continue;  // dropped between the lookup and the lock: look again
      Expire(s, now);
      result.emplace(fn(s.group, s.hold_from));
      if (s.group != nullptr && s.group->empty()) s.group.reset();
      empty = s.group == nullptr;
    }
    if (empty) DropIfEmpty(group_id, slot);
    return *std::move(result);
  }
}

absl::StatusOr<HeartbeatOutput> GroupCoordinator::Heartbeat(std::string_view group_id,
                                                            HeartbeatInput input, absl::Time now) {
  if (absl::Status valid = ValidateGroupId(group_id); !valid.ok()) return valid;
  // Member ids may be chosen by clients; both ids are kept in memory and echoed back.
  if (input.member_id.size() > kMaxIdLength || input.instance_id.size() > kMaxIdLength) {
    return MakeGroupError(
        GroupErrorKind::kInvalidRequest,
        absl::StrCat("member and instance ids are limited to ", kMaxIdLength, " bytes"));
  }
  const bool joining = input.member_epoch == kJoinEpoch;
  if (joining && input.member_id.empty()) input.member_id = NewMemberId();
  return WithGroup(
      group_id, now, /*create=*/joining,
      [&](std::unique_ptr<ConsumerGroup>& group,
          std::optional<absl::Time> hold_from) -> absl::StatusOr<HeartbeatOutput> {
        if (joining && classic_.HasMembers(group_id, now)) {
          return MakeGroupError(
              GroupErrorKind::kInvalidRequest,
              absl::StrCat("group '", std::string(group_id),
                           "' has Kafka members (JoinGroup through --kafka-listen); a group "
                           "cannot mix choreo and Kafka consumers: use another group id"));
        }
        if (group == nullptr) {
          if (!joining) {
            if (input.member_epoch < 0) {  // leaving a group that is already gone
              return HeartbeatOutput{input.member_id, input.member_epoch, 0, {}, 0};
            }
            return MakeGroupError(
                GroupErrorKind::kUnknownMember,
                absl::StrCat("member '", input.member_id, "' is not in group '",
                             std::string(group_id), "' (removed, left or fenced); rejoin"));
          }
          group = std::make_unique<ConsumerGroup>(std::string(group_id), options_, hold_from);
        }
        absl::StatusOr<HeartbeatOutput> out = group->Heartbeat(input, topics_, now);
        if (out.ok() && joining) {
          GroupLog().info("group {}: member {} joined{} (epoch {}, group epoch {})", group_id,
                          out->member_id,
                          input.instance_id.empty() ? "" : " as " + input.instance_id,
                          out->member_epoch, out->group_epoch);
        } else if (out.ok() && input.member_epoch < 0) {
          GroupLog().info("group {}: member {} left{}", group_id, input.member_id,
                          out->member_epoch == kStaticLeaveEpoch ? " (static, may come back)" : "");
        }
        return out;
      });
}

absl::Status GroupCoordinator::CheckCommit(std::string_view group_id, const std::string& member_id,
                                           int32_t member_epoch,
                                           const std::vector<GroupPartition>& partitions,
                                           absl::Time now,
                                           std::vector<absl::Status>* partition_errors) {
  if (absl::Status valid = ValidateGroupId(group_id); !valid.ok()) return valid;
  return WithGroup(
      group_id, now, /*create=*/false,
      [&](std::unique_ptr<ConsumerGroup>& group, std::optional<absl::Time>) {
        if (group != nullptr) {
          return group->CheckCommit(member_id, member_epoch, partitions, partition_errors);
        }
        partition_errors->assign(partitions.size(), absl::OkStatus());
        if (member_id.empty()) {
          if (!classic_.HasMembers(group_id, now)) return absl::OkStatus();
          return MakeGroupError(GroupErrorKind::kGroupNotEmpty,
                                absl::StrCat("group '", std::string(group_id),
                                             "' has Kafka members (--kafka-listen)"));
        }
        return MakeGroupError(
            GroupErrorKind::kUnknownMember,
            absl::StrCat("member '", member_id, "' is not in group '", std::string(group_id),
                         "' (removed, left or fenced); its commit is rejected"));
      });
}

std::optional<GroupSnapshot> GroupCoordinator::Describe(std::string_view group_id, absl::Time now) {
  if (std::optional<GroupSnapshot> native = DescribeNative(group_id, now)) return native;
  if (std::optional<ClassicGroupSnapshot> classic = classic_.Describe(group_id, now))
    return ToGroupSnapshot(*classic);
  return std::nullopt;
}

bool GroupCoordinator::HasNativeMembers(std::string_view group_id, absl::Time now) {
  return DescribeNative(group_id, now).has_value();
}

std::optional<GroupSnapshot> GroupCoordinator::DescribeNative(std::string_view group_id,
                                                              absl::Time now) {
  return WithGroup(group_id, now, /*create=*/false,
                   [](std::unique_ptr<ConsumerGroup>& group,
                      std::optional<absl::Time>) -> std::optional<GroupSnapshot> {
                     if (group == nullptr) return std::nullopt;
                     return group->Snapshot();
                   });
}

std::vector<GroupSummary> GroupCoordinator::List(absl::Time now) {
  std::vector<std::string> ids;
  {
    MutexLock lock(&mu_);
    for (const auto& [id, slot] : slots_)
      ids.push_back(id);
  }
  std::map<std::string, GroupSummary> out;
  for (const std::string& id : ids) {
    std::optional<GroupSnapshot> snapshot = DescribeNative(id, now);
    if (!snapshot) continue;
    out[id] = GroupSummary{id, snapshot->state, static_cast<uint32_t>(snapshot->members.size())};
  }
  for (const ClassicGroupSnapshot& classic : classic_.List(now)) {
    const GroupSnapshot snapshot = ToGroupSnapshot(classic);
    out.emplace(classic.group_id, GroupSummary{classic.group_id, snapshot.state,
                                               static_cast<uint32_t>(snapshot.members.size())});
  }
  std::vector<GroupSummary> sorted;
  for (auto& entry : out)
    sorted.push_back(std::move(entry.second));
  return sorted;
}

absl::Status GroupCoordinator::CheckDeletable(std::string_view group_id, absl::Time now) {
  if (absl::Status valid = ValidateGroupId(group_id); !valid.ok()) return valid;
  const bool has_members = WithGroup(group_id, now, /*create=*/false,
                                     [](std::unique_ptr<ConsumerGroup>& group,
                                        std::optional<absl::Time>) { return group != nullptr; }) ||
                           classic_.HasMembers(group_id, now);
  if (!has_members) return absl::OkStatus();
  return MakeGroupError(GroupErrorKind::kGroupNotEmpty,
                        absl::StrCat("group '", std::string(group_id),
                                     "' has members; it can be deleted only "
                                     "while it has none"));
}

}  // namespace choreo::broker
