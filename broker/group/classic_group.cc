#include "broker/group/classic_group.h"

#include <algorithm>
#include <set>
#include <utility>

namespace choreo::broker {

using namespace classic_error;  // NOLINT(build/namespaces): the codes are this file's vocabulary

ClassicGroup::ClassicGroup(std::string group_id, ClassicGroupLimits limits,
                           absl::Duration min_session_timeout, absl::Duration max_session_timeout,
                           std::function<std::string(const std::string&)> new_member_id)
    : group_id_(std::move(group_id)),
      limits_(limits),
      min_session_timeout_(min_session_timeout),
      max_session_timeout_(max_session_timeout),
      new_member_id_(std::move(new_member_id)) {}

// Callbacks still waiting are dropped, not called: at shutdown their waiters are gone.
ClassicGroup::~ClassicGroup() = default;

const char* ClassicGroup::StateName(State state) {
  switch (state) {
    case State::kEmpty:
      return "Empty";
    case State::kPreparingRebalance:
      return "PreparingRebalance";
    case State::kCompletingRebalance:
      return "CompletingRebalance";
    case State::kStable:
      return "Stable";
  }
  return "Unknown";
}

size_t ClassicGroup::ProtocolBytes(const std::vector<ClassicProtocol>& protocols) {
  size_t bytes = 0;
  for (const ClassicProtocol& p : protocols)
    bytes += p.name.size() + p.metadata.size();
  return bytes;
}

int16_t ClassicGroup::FindMember(const std::string& member_id, const std::string& instance_id,
                                 Member** out) {
  if (!instance_id.empty()) {
    auto it = static_ids_.find(instance_id);
    if (it != static_ids_.end() && it->second != member_id) return kFencedInstanceId;
  }
  auto it = members_.find(member_id);
  if (it == members_.end()) return kUnknownMemberId;
  if (it->second.instance_id != instance_id && !instance_id.empty()) return kFencedInstanceId;
  *out = &it->second;
  return kNone;
}

bool ClassicGroup::SupportsProtocols(const ClassicJoinRequest& request,
                                     const std::string& except) const {
  if (request.protocol_type.empty() || request.protocols.empty()) return false;
  bool others = false;
  for (const auto& [id, member] : members_)
    others |= id != except;
  if (!others) return true;
  if (request.protocol_type != protocol_type_) return false;
  // Some protocol of the request must be one every other member supports.
  for (const ClassicProtocol& wanted : request.protocols) {
    bool everyone = true;
    for (const auto& [id, member] : members_) {
      if (id == except) continue;
      everyone = std::any_of(member.protocols.begin(), member.protocols.end(),
                             [&](const ClassicProtocol& p) { return p.name == wanted.name; });
      if (!everyone) break;
    }
    if (everyone) return true;
  }
  return false;
}

std::optional<ClassicJoinResponse> ClassicGroup::Join(ClassicJoinRequest request, absl::Time now,
                                                      ClassicJoinCallback done,
                                                      std::string* added) {
  Tick(now);
  std::string ignored;
  if (added == nullptr) added = &ignored;
  added->clear();
  if (request.session_timeout < min_session_timeout_ ||
      request.session_timeout > max_session_timeout_) {
    return ClassicJoinError(kInvalidSessionTimeout, request.member_id);
  }
  if (request.rebalance_timeout <= absl::ZeroDuration())
    request.rebalance_timeout = request.session_timeout;  // v0 has none: Kafka uses the session's
  if (!SupportsProtocols(request, request.member_id)) {
    return ClassicJoinError(kInconsistentGroupProtocol, request.member_id);
  }
  if (request.member_id.empty()) {
    if (!request.instance_id.empty()) {
      auto known = static_ids_.find(request.instance_id);
      if (known != static_ids_.end()) {
        // A static member back with the same instance id takes over its entry under a new id;
        // the old id is fenced.
        const std::string old_id = known->second;
        Member member = std::move(members_.at(old_id));
        members_.erase(old_id);
        if (member.awaiting_join)
          std::exchange(member.awaiting_join, nullptr)(ClassicJoinError(kFencedInstanceId, old_id));
        if (member.awaiting_sync)
          std::exchange(member.awaiting_sync, nullptr)(ClassicSyncResult(kFencedInstanceId));
        member.id = new_member_id_(request.client_id);
        known->second = member.id;
        const bool was_leader = leader_ == old_id;
        if (was_leader) leader_ = member.id;
        Member& placed = members_.emplace(member.id, std::move(member)).first->second;
        placed.last_heartbeat = now;
        UpdateMember(placed, std::move(request));
        if (state_ == State::kStable && !was_leader && SelectProtocol() == protocol_name_) {
          // As Kafka: unless the group's protocol would change, it gets the current generation
          // and, from SyncGroup, its assignment; new metadata (a restarted process owns nothing
          // yet) does not rebalance the group.
          return CurrentJoinResponse(placed);
        }
        placed.awaiting_join = std::move(done);
        if (state_ == State::kPreparingRebalance) {
          MaybeCompleteJoin(now);
        } else {
          PrepareRebalance(now);
        }
        return std::nullopt;
      }
      std::string id = new_member_id_(request.client_id);
      *added = id;
      return AddMemberAndRebalance(std::move(request), std::move(id), now, std::move(done));
    }
    if (member_count() >= limits_.max_members) {
      return ClassicJoinError(kGroupMaxSizeReached);
    }
    std::string id = new_member_id_(request.client_id);
    *added = id;
    if (request.require_known_member_id) {
      pending_[id] = now + request.session_timeout;
      return ClassicJoinError(kMemberIdRequired, id);
    }
    return AddMemberAndRebalance(std::move(request), std::move(id), now, std::move(done));
  }
  if (auto pending = pending_.find(request.member_id); pending != pending_.end()) {
    pending_.erase(pending);
    std::string id = request.member_id;
    *added = id;
    return AddMemberAndRebalance(std::move(request), std::move(id), now, std::move(done));
  }
  Member* member = nullptr;
  if (int16_t error = FindMember(request.member_id, request.instance_id, &member); error != kNone)
    return ClassicJoinError(error, request.member_id);
  return JoinKnownMember(*member, std::move(request), now, std::move(done));
}

std::optional<ClassicJoinResponse> ClassicGroup::AddMemberAndRebalance(ClassicJoinRequest request,
                                                                       std::string member_id,
                                                                       absl::Time now,
                                                                       ClassicJoinCallback done) {
  if (members_.size() + pending_.size() >= limits_.max_members) {
    return ClassicJoinError(kGroupMaxSizeReached, member_id);
  }
  if (members_.empty()) protocol_type_ = request.protocol_type;
  Member& member = members_[member_id];
  member.id = member_id;
  member.last_heartbeat = now;
  if (!request.instance_id.empty()) static_ids_[request.instance_id] = member_id;
  UpdateMember(member, std::move(request));
  if (leader_.empty()) leader_ = member_id;
  member.awaiting_join = std::move(done);
  if (state_ == State::kPreparingRebalance) {
    MaybeCompleteJoin(now);
  } else {
    PrepareRebalance(now);
  }
  return std::nullopt;
}

std::optional<ClassicJoinResponse> ClassicGroup::JoinKnownMember(Member& member,
                                                                 ClassicJoinRequest request,
                                                                 absl::Time now,
                                                                 ClassicJoinCallback done) {
  member.last_heartbeat = now;
  const bool same = member.protocols == request.protocols;
  switch (state_) {
    case State::kCompletingRebalance:
    case State::kStable:
      // A follower that asks again with the same subscription gets the current generation (so a
      // lost response costs no rebalance); the leader's join, or a changed subscription,
      // rebalances (the leader may have seen a topic change the others did not).
      if (same && (state_ == State::kCompletingRebalance || member.id != leader_)) {
        UpdateMember(member, std::move(request));
        return CurrentJoinResponse(member);
      }
      UpdateMember(member, std::move(request));
      member.awaiting_join = std::move(done);
      PrepareRebalance(now);
      return std::nullopt;
    case State::kPreparingRebalance:
      UpdateMember(member, std::move(request));
      // A second JoinGroup while the first still waits: the first is answered, so responses on
      // its connection stay in order.
      if (member.awaiting_join)
        std::exchange(member.awaiting_join,
                      nullptr)(ClassicJoinError(kRebalanceInProgress, member.id));
      member.awaiting_join = std::move(done);
      MaybeCompleteJoin(now);
      return std::nullopt;
    case State::kEmpty:
      break;
  }
  return ClassicJoinError(kUnknownMemberId, member.id);
}

void ClassicGroup::UpdateMember(Member& member, ClassicJoinRequest request) {
  bytes_ -= ProtocolBytes(member.protocols);
  bytes_ += ProtocolBytes(request.protocols);
  member.instance_id = std::move(request.instance_id);
  member.client_id = std::move(request.client_id);
  member.client_host = std::move(request.client_host);
  member.protocol_type = std::move(request.protocol_type);
  member.protocols = std::move(request.protocols);
  member.session_timeout = request.session_timeout;
  member.rebalance_timeout = request.rebalance_timeout;
}

std::string ClassicGroup::MetadataOf(const Member& member) const {
  for (const ClassicProtocol& p : member.protocols)
    if (p.name == protocol_name_) return p.metadata;
  return {};
}

ClassicJoinResponse ClassicGroup::CurrentJoinResponse(const Member& member) const {
  ClassicJoinResponse response = ClassicJoinError(kNone, member.id);
  response.generation = generation_;
  response.protocol_name = protocol_name_;
  response.leader = leader_;
  if (member.id == leader_) {
    for (const auto& [id, m] : members_)
      response.members.push_back({id, m.instance_id, MetadataOf(m)});
  }
  return response;
}

void ClassicGroup::PrepareRebalance(absl::Time now) {
  if (state_ == State::kCompletingRebalance) {
    for (auto& [id, member] : members_)
      if (member.awaiting_sync)
        std::exchange(member.awaiting_sync, nullptr)(ClassicSyncResult(kRebalanceInProgress));
  }
  absl::Duration timeout = absl::ZeroDuration();
  for (const auto& [id, member] : members_)
    timeout = std::max(timeout, member.rebalance_timeout);
  state_ = State::kPreparingRebalance;
  rebalance_deadline_ = now + timeout;
  MaybeCompleteJoin(now);
}

void ClassicGroup::MaybeCompleteJoin(absl::Time now) {
  if (state_ != State::kPreparingRebalance) return;
  const bool all_joined =
      pending_.empty() && std::all_of(members_.begin(), members_.end(), [](const auto& entry) {
        return static_cast<bool>(entry.second.awaiting_join);
      });
  if (all_joined || now >= rebalance_deadline_) CompleteJoin(now);
}

std::string ClassicGroup::SelectProtocol() const {
  // Candidates: protocols every member supports. Each member votes for the first candidate in
  // its own order of preference; most votes wins, ties go to the leader's preference.
  std::map<std::string, int> votes;
  const Member& first = members_.count(leader_) ? members_.at(leader_) : members_.begin()->second;
  std::vector<std::string> candidates;
  for (const ClassicProtocol& p : first.protocols) {
    const bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& entry) {
      const auto& protocols = entry.second.protocols;
      return std::any_of(protocols.begin(), protocols.end(),
                         [&](const ClassicProtocol& q) { return q.name == p.name; });
    });
    if (everyone) candidates.push_back(p.name);
  }
  if (candidates.empty()) return {};
  for (const auto& [id, member] : members_) {
    for (const ClassicProtocol& p : member.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const std::string& c : candidates)
    if (votes[c] > votes[best]) best = c;
  return best;
}

void ClassicGroup::CompleteJoin(absl::Time now) {
  // Members that did not join again by the deadline are out of the new generation.
  std::vector<std::string> late;
  for (const auto& [id, member] : members_)
    if (!member.awaiting_join) late.push_back(id);
  for (const std::string& id : late) {
    Member& member = members_.at(id);
    bytes_ -= ProtocolBytes(member.protocols) + member.assignment.size();
    if (!member.instance_id.empty()) static_ids_.erase(member.instance_id);
    members_.erase(id);
  }
  ++generation_;
  for (auto& [id, member] : members_) {
    bytes_ -= member.assignment.size();
    member.assignment.clear();
  }
  if (members_.empty()) {
    state_ = State::kEmpty;
    protocol_name_.clear();
    protocol_type_.clear();
    leader_.clear();
    return;
  }
  if (!members_.count(leader_)) leader_ = members_.begin()->first;
  protocol_name_ = SelectProtocol();
  state_ = State::kCompletingRebalance;
  for (auto& [id, member] : members_) {
    member.last_heartbeat = now;  // its session runs from its join response
    std::exchange(member.awaiting_join, nullptr)(CurrentJoinResponse(member));
  }
}

std::optional<ClassicSyncResponse> ClassicGroup::Sync(
    int32_t generation, const std::string& member_id, const std::string& instance_id,
    const std::map<std::string, std::string>& assignments, absl::Time now,
    ClassicSyncCallback done) {
  Tick(now);
  Member* member = nullptr;
  if (int16_t error = FindMember(member_id, instance_id, &member); error != kNone)
    return ClassicSyncResult(error);
  if (generation != generation_) return ClassicSyncResult(kIllegalGeneration);
  member->last_heartbeat = now;
  switch (state_) {
    case State::kEmpty:
      return ClassicSyncResult(kUnknownMemberId);
    case State::kPreparingRebalance:
      return ClassicSyncResult(kRebalanceInProgress);
    case State::kStable:
      return ClassicSyncResult(kNone, member->assignment);
    case State::kCompletingRebalance:
      break;
  }
  if (member->awaiting_sync)
    std::exchange(member->awaiting_sync, nullptr)(ClassicSyncResult(kRebalanceInProgress));
  member->awaiting_sync = std::move(done);
  if (member_id != leader_) return std::nullopt;
  // The leader's assignment: members it does not mention get an empty one.
  for (auto& [id, m] : members_) {
    auto it = assignments.find(id);
    bytes_ -= m.assignment.size();
    m.assignment = it == assignments.end() ? std::string() : it->second;
    bytes_ += m.assignment.size();
  }
  state_ = State::kStable;
  for (auto& [id, m] : members_)
    if (m.awaiting_sync)
      std::exchange(m.awaiting_sync, nullptr)(ClassicSyncResult(kNone, m.assignment));
  return std::nullopt;
}

int16_t ClassicGroup::Heartbeat(int32_t generation, const std::string& member_id,
                                const std::string& instance_id, absl::Time now) {
  Tick(now);
  Member* member = nullptr;
  if (int16_t error = FindMember(member_id, instance_id, &member); error != kNone) return error;
  if (state_ == State::kEmpty) return kUnknownMemberId;
  if (generation != generation_) return kIllegalGeneration;
  member->last_heartbeat = now;
  return state_ == State::kPreparingRebalance ? kRebalanceInProgress : kNone;
}

int16_t ClassicGroup::Leave(const std::string& member_id, const std::string& instance_id,
                            absl::Time now) {
  Tick(now);
  std::string target = member_id;
  if (!instance_id.empty()) {
    auto it = static_ids_.find(instance_id);
    if (it == static_ids_.end()) return kUnknownMemberId;
    if (!member_id.empty() && it->second != member_id) return kFencedInstanceId;
    target = it->second;
  }
  if (Remove(target, kUnknownMemberId, now)) return kNone;
  return kUnknownMemberId;
}

bool ClassicGroup::Remove(const std::string& member_id, int16_t error, absl::Time now) {
  if (pending_.erase(member_id) > 0) {
    MaybeCompleteJoin(now);
    return true;
  }
  if (!members_.count(member_id)) return false;
  RemoveMember(member_id, error, now);
  return true;
}

int16_t ClassicGroup::CheckCommit(int32_t generation, const std::string& member_id,
                                  const std::string& instance_id, absl::Time now) {
  Tick(now);
  if (member_id.empty() && generation < 0) return members_.empty() ? kNone : kUnknownMemberId;
  Member* member = nullptr;
  if (int16_t error = FindMember(member_id, instance_id, &member); error != kNone) return error;
  if (generation != generation_) return kIllegalGeneration;
  if (state_ == State::kCompletingRebalance) return kRebalanceInProgress;
  member->last_heartbeat = now;
  return kNone;
}

void ClassicGroup::RemoveMember(const std::string& member_id, int16_t error, absl::Time now) {
  auto it = members_.find(member_id);
  Member member = std::move(it->second);
  members_.erase(it);
  bytes_ -= ProtocolBytes(member.protocols) + member.assignment.size();
  if (!member.instance_id.empty()) static_ids_.erase(member.instance_id);
  if (member.awaiting_join) member.awaiting_join(ClassicJoinError(error, member_id));
  if (member.awaiting_sync) member.awaiting_sync(ClassicSyncResult(error));
  if (leader_ == member_id) leader_ = members_.empty() ? std::string() : members_.begin()->first;
  switch (state_) {
    case State::kStable:
    case State::kCompletingRebalance:
      PrepareRebalance(now);
      break;
    case State::kPreparingRebalance:
      MaybeCompleteJoin(now);
      break;
    case State::kEmpty:
      break;
  }
}

void ClassicGroup::Tick(absl::Time now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second <= now ? pending_.erase(it) : std::next(it);
  }
  std::vector<std::string> expired;
  for (const auto& [id, member] : members_) {
    if (member.awaiting_join || member.awaiting_sync) continue;
    if (member.last_heartbeat + member.session_timeout <= now) expired.push_back(id);
  }
  for (const std::string& id : expired)
    if (members_.count(id)) RemoveMember(id, kUnknownMemberId, now);
  MaybeCompleteJoin(now);
}

std::optional<absl::Time> ClassicGroup::NextDeadline() const {
  std::optional<absl::Time> next;
  auto consider = [&](absl::Time t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [id, deadline] : pending_)
    consider(deadline);
  for (const auto& [id, member] : members_) {
    if (member.awaiting_join || member.awaiting_sync) continue;
    consider(member.last_heartbeat + member.session_timeout);
  }
  if (state_ == State::kPreparingRebalance) consider(rebalance_deadline_);
  return next;
}

ClassicGroupSnapshot ClassicGroup::Snapshot() const {
  ClassicGroupSnapshot snapshot{group_id_,      StateName(state_), generation_, protocol_type_,
                                protocol_name_, leader_,           {}};
  for (const auto& [id, member] : members_) {
    snapshot.members.push_back({id, member.instance_id, member.client_id, member.client_host,
                                MetadataOf(member), member.assignment});
  }
  return snapshot;
}

namespace {

// Big-endian reads with bounds checks, for ParseConsumerAssignment.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool Int(size_t width, int64_t* out) {
    if (bytes_.size() - pos_ < width) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i)
      v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
    pos_ += width;
    // Sign-extend from `width` bytes.
    const unsigned shift = 64 - 8 * static_cast<unsigned>(width);
    *out = static_cast<int64_t>(v << shift) >> shift;
    return true;
  }
  bool String(std::string* out) {
    int64_t length = 0;
    if (!Int(2, &length) || length < 0 || bytes_.size() - pos_ < static_cast<size_t>(length))
      return false;
    out->assign(bytes_.substr(pos_, static_cast<size_t>(length)));
    pos_ += static_cast<size_t>(length);
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<PartitionSet> ParseConsumerAssignment(std::string_view bytes) {
  Reader reader(bytes);
  int64_t version = 0;
  int64_t topics = 0;
  if (!reader.Int(2, &version) || version < 0 || !reader.Int(4, &topics)) return std::nullopt;
  PartitionSet out;
  for (int64_t t = 0; t < topics; ++t) {
    std::string topic;
    int64_t partitions = 0;
    if (!reader.String(&topic) || !reader.Int(4, &partitions)) return std::nullopt;
    for (int64_t p = 0; p < partitions; ++p) {
      int64_t partition = 0;
      if (!reader.Int(4, &partition) || partition < 0) return std::nullopt;
      out.insert(GroupPartition{topic, static_cast<storage::PartitionId>(partition)});
    }
  }
  return out;  // user data (and any later fields) are not needed
}

GroupSnapshot ToGroupSnapshot(const ClassicGroupSnapshot& classic) {
  GroupSnapshot out;
  out.group_id = classic.group_id;
  out.state = classic.state == ClassicGroup::StateName(ClassicGroup::State::kStable)
                  ? kStateStable
                  : kStateRebalancing;
  out.group_epoch = classic.generation;
  for (const ClassicMemberSnapshot& m : classic.members) {
    MemberSnapshot member;
    member.member_id = m.member_id;
    member.instance_id = m.instance_id;
    member.client_id = m.client_id;
    member.member_epoch = classic.generation;
    if (classic.protocol_type == "consumer") {
      if (std::optional<PartitionSet> parsed = ParseConsumerAssignment(m.assignment)) {
        member.assignment = *parsed;
        member.target = *std::move(parsed);
      }
    }
    out.members.push_back(std::move(member));
  }
  return out;
}

}  // namespace choreo::broker
