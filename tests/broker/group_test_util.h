// Helpers for coordinator tests: an in-memory TopicSource and a scripted member.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "broker/group/coordinator.h"
#include "broker/group/group_errors.h"

namespace choreo::broker::testing {

class FakeTopics final : public TopicSource {
 public:
  void Set(const std::string& name, uint32_t partitions) {
    auto [it, inserted] = topics_.try_emplace(name);
    if (inserted) {
      it->second.id = next_id_;
      next_id_ = storage::NextTopicId(next_id_);
    }
    it->second.name = name;
    it->second.config.partitions = partitions;
    ++generation_;
  }
  void Erase(const std::string& name) {
    topics_.erase(name);
    ++generation_;
  }
  // How often the coordinator listed every topic (to match a pattern).
  int list_calls() const { return list_calls_; }

  std::optional<storage::TopicInfo> Find(std::string_view name) const override {
    auto it = topics_.find(std::string(name));
    if (it == topics_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<storage::TopicInfo> List() const override {
    ++list_calls_;
    std::vector<storage::TopicInfo> out;
    for (const auto& [name, info] : topics_)
      out.push_back(info);
    return out;
  }

  uint64_t generation() const override { return generation_; }

 private:
  std::map<std::string, storage::TopicInfo> topics_;
  storage::TopicId next_id_{1};
  uint64_t generation_ = 0;
  mutable int list_calls_ = 0;
};

inline std::optional<GroupErrorKind> KindOf(const absl::Status& status) {
  return GroupErrorKindOf(status);
}

// A member the way a well-behaved client drives it: it owns what its answers give it, and gives
// a partition up only when told to (Revoke), reporting the smaller set in its next heartbeat.
class ScriptedMember {
 public:
  ScriptedMember(GroupCoordinator& coordinator, std::string group, std::string id,
                 std::vector<std::string> topics, std::string instance_id = "")
      : coordinator_(coordinator),
        group_(std::move(group)),
        id_(std::move(id)),
        topics_(std::move(topics)),
        instance_id_(std::move(instance_id)) {}

  // Joins (epoch 0) or heartbeats; afterwards owned() includes the answer's assignment.
  absl::Status Heartbeat(absl::Time now, uint32_t session_timeout_ms = 1000) {
    HeartbeatInput in;
    in.member_id = id_;
    in.member_epoch = epoch_;
    in.instance_id = instance_id_;
    if (epoch_ == kJoinEpoch) in.subscribed_topics = topics_;
    in.session_timeout_ms = session_timeout_ms;
    in.rebalance_timeout_ms = rebalance_timeout_ms;
    in.owned = owned_;
    absl::StatusOr<HeartbeatOutput> out = coordinator_.Heartbeat(group_, in, now);
    if (!out.ok()) return out.status();
    last_ok_ = now;
    session_ = absl::Milliseconds(session_timeout_ms);
    epoch_ = out->member_epoch;
    last_ = *out;
    owned_.insert(out->assignment.begin(), out->assignment.end());
    return absl::OkStatus();
  }
  // Stops consuming everything once its session must have expired on the broker, as a client
  // does when its heartbeats go unanswered.
  void DropIfSessionExpired(absl::Time now) {
    if (epoch_ != kJoinEpoch && now >= last_ok_ + session_) owned_.clear();
  }
  // Gives up what the last answer no longer lists (a client's Poll after a revoking answer).
  void Revoke() {
    PartitionSet kept;
    for (const GroupPartition& p : owned_) {
      if (last_.assignment.count(p) > 0) kept.insert(p);
    }
    owned_ = std::move(kept);
  }
  absl::Status Leave(absl::Time now, bool static_leave = false) {
    HeartbeatInput in;
    in.member_id = id_;
    in.member_epoch = static_leave ? kStaticLeaveEpoch : kLeaveEpoch;
    absl::StatusOr<HeartbeatOutput> out = coordinator_.Heartbeat(group_, in, now);
    owned_.clear();
    return out.status();
  }
  // Forgets everything, as a restarted process would; the next Heartbeat joins as `new_id`.
  void Restart(std::string new_id) {
    id_ = std::move(new_id);
    epoch_ = kJoinEpoch;
    owned_.clear();
  }

  const std::string& id() const { return id_; }
  int32_t epoch() const { return epoch_; }
  const PartitionSet& owned() const { return owned_; }
  const HeartbeatOutput& last() const { return last_; }
  uint32_t rebalance_timeout_ms = 60000;

 private:
  GroupCoordinator& coordinator_;
  std::string group_;
  std::string id_;
  std::vector<std::string> topics_;
  std::string instance_id_;
  int32_t epoch_ = kJoinEpoch;
  PartitionSet owned_;
  HeartbeatOutput last_;
  absl::Time last_ok_;
  absl::Duration session_;
};

}  // namespace choreo::broker::testing
