// ClassicGroup: one consumer group of Kafka's classic group protocol (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup; client-side assignment), as served by the Kafka listener
// (broker/kafka/handlers/groups.cc). The broker only runs the membership barrier and relays the
// leader's assignment: the assignment bytes are opaque here.
//
// States: Empty (no members) -> PreparingRebalance (the join barrier: every known member must
// send JoinGroup again, until the rebalance deadline) -> CompletingRebalance (the join answers
// went out; waiting for the leader's SyncGroup) -> Stable. A join of a new member, a changed
// subscription, a leave or a session expiry sends a Stable or CompletingRebalance group back to
// PreparingRebalance.
//
// Responses that wait (a JoinGroup behind the barrier, a SyncGroup before the leader's) are
// delivered through callbacks, called once (or never, if the group is destroyed first), under
// whatever lock protects the group: they must only store the response and wake their caller. Time
// is passed in (`now`), so tests drive every deadline with an injected clock; Tick() applies the
// deadlines that passed.
//
// Threading: not thread-safe; ClassicGroupCoordinator serializes access.
#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/group/group_types.h"
#include "broker/kafka/errors.h"

namespace choreo::broker {

// Kafka error codes of the classic group protocol (broker/kafka/errors.h).
namespace classic_error = ::choreo::kafka::error_code;

// Bounds on what one group keeps in memory (checked by the coordinator before a call reaches the
// group, except max_members, which the group checks).
struct ClassicGroupLimits {
  size_t max_members = 1000;                  // members plus members that were given an id
  size_t max_protocols = 16;                  // per JoinGroup
  size_t max_metadata_bytes = 256 * 1024;     // per JoinGroup: all protocol names and metadata
  size_t max_assignment_bytes = 1024 * 1024;  // per member, in the leader's SyncGroup
  size_t max_group_assignment_bytes = 16 * 1024 * 1024;  // per SyncGroup: every assignment
};

struct ClassicProtocol {
  std::string name;
  std::string metadata;
  friend bool operator==(const ClassicProtocol&, const ClassicProtocol&) = default;
};

struct ClassicJoinRequest {
  std::string member_id;    // empty on a first join
  std::string instance_id;  // static membership (JoinGroup v5); empty for a dynamic member
  std::string client_id;
  std::string client_host;
  std::string protocol_type;  // "consumer" for Kafka consumers
  std::vector<ClassicProtocol> protocols;
  absl::Duration session_timeout;
  absl::Duration rebalance_timeout;
  // JoinGroup v4+: a dynamic member without an id is given one with MEMBER_ID_REQUIRED and must
  // join again with it (KIP-394).
  bool require_known_member_id = false;
};

struct ClassicJoinMember {
  std::string member_id;
  std::string instance_id;
  std::string metadata;  // of the selected protocol
};

struct ClassicJoinResponse {
  int16_t error = classic_error::kNone;
  int32_t generation = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<ClassicJoinMember> members;  // the leader's response only
};

struct ClassicSyncResponse {
  int16_t error = classic_error::kNone;
  std::string assignment;
};

// A response that is only an error (with the member id it concerns, if any).
inline ClassicJoinResponse ClassicJoinError(int16_t error, std::string member_id = {}) {
  ClassicJoinResponse response;
  response.error = error;
  response.member_id = std::move(member_id);
  return response;
}
inline ClassicSyncResponse ClassicSyncResult(int16_t error, std::string assignment = {}) {
  ClassicSyncResponse response;
  response.error = error;
  response.assignment = std::move(assignment);
  return response;
}

using ClassicJoinCallback = std::function<void(ClassicJoinResponse)>;
using ClassicSyncCallback = std::function<void(ClassicSyncResponse)>;

struct ClassicMemberSnapshot {
  std::string member_id;
  std::string instance_id;
  std::string client_id;
  std::string client_host;
  std::string metadata;  // of the selected protocol ("" while none is selected)
  std::string assignment;
};

struct ClassicGroupSnapshot {
  std::string group_id;
  std::string state;  // Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable
  int32_t generation = 0;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader;
  std::vector<ClassicMemberSnapshot> members;  // sorted by member id
};

// A Kafka group as choreo's group tools show it (`choreo group list/describe`, the console,
// metrics): state "stable" or "rebalancing", each member's epoch is the generation, and its
// assignment is decoded from the consumer protocol's assignment bytes (protocol type "consumer";
// left empty if they do not parse).
inline constexpr char kStateRebalancing[] = "rebalancing";
GroupSnapshot ToGroupSnapshot(const ClassicGroupSnapshot& classic);
// The partitions of a consumer-protocol assignment (ConsumerProtocolAssignment: version, then
// topics with their partitions, then user data), or std::nullopt if the bytes do not parse.
std::optional<PartitionSet> ParseConsumerAssignment(std::string_view bytes);

class ClassicGroup {
 public:
  enum class State { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable };

  // `new_member_id` makes the id of a member that joins without one (the coordinator's random
  // ids; tests pass a counter). `min/max_session_timeout` bound what a JoinGroup may ask for.
  ClassicGroup(std::string group_id, ClassicGroupLimits limits, absl::Duration min_session_timeout,
               absl::Duration max_session_timeout,
               std::function<std::string(const std::string& client_id)> new_member_id);
  ~ClassicGroup();
  ClassicGroup(const ClassicGroup&) = delete;
  ClassicGroup& operator=(const ClassicGroup&) = delete;

  // A JoinGroup. Returns the response if it is ready now; otherwise std::nullopt, and `done` is
  // called once the join barrier completes (possibly before Join returns), or the member is
  // removed or fenced. `added`, if given, is
  // set to the id of a member (or MEMBER_ID_REQUIRED id) this join added, else cleared.
  std::optional<ClassicJoinResponse> Join(ClassicJoinRequest request, absl::Time now,
                                          ClassicJoinCallback done, std::string* added = nullptr);
  // A SyncGroup. The leader's `assignments` (member id -> bytes) are handed to every member.
  // Returns the response if ready now; otherwise std::nullopt and `done` is called later.
  std::optional<ClassicSyncResponse> Sync(int32_t generation, const std::string& member_id,
                                          const std::string& instance_id,
                                          const std::map<std::string, std::string>& assignments,
                                          absl::Time now, ClassicSyncCallback done);
  int16_t Heartbeat(int32_t generation, const std::string& member_id,
                    const std::string& instance_id, absl::Time now);
  // One member of a LeaveGroup. With an instance id the member is found by it (and must match a
  // given member id).
  int16_t Leave(const std::string& member_id, const std::string& instance_id, absl::Time now);
  // Fencing of an OffsetCommit: a member of the current generation (not while the group waits
  // for the leader's assignment), or a simple consumer's commit (empty member id, generation < 0)
  // while the group has no members.
  int16_t CheckCommit(int32_t generation, const std::string& member_id,
                      const std::string& instance_id, absl::Time now);
  // Removes a member (or a member that was given an id) without a LeaveGroup, answering its
  // waiting requests with `error`. False if there is no such member.
  bool Remove(const std::string& member_id, int16_t error, absl::Time now);

  // Applies the deadlines that passed: members whose session expired (a member waiting in
  // JoinGroup or SyncGroup does not expire), ids given with MEMBER_ID_REQUIRED that were not
  // used, and the join barrier's rebalance deadline.
  void Tick(absl::Time now);
  // The earliest deadline Tick() would act on, if any.
  std::optional<absl::Time> NextDeadline() const;

  // No members and no ids handed out: the coordinator may drop the group.
  bool empty() const { return members_.empty() && pending_.empty(); }
  size_t member_count() const { return members_.size() + pending_.size(); }
  State state() const { return state_; }
  int32_t generation() const { return generation_; }
  const std::string& id() const { return group_id_; }
  // Bytes of metadata and assignments held (for the coordinator's memory bound).
  size_t bytes() const { return bytes_; }
  ClassicGroupSnapshot Snapshot() const;
  static const char* StateName(State state);

 private:
  struct Member {
    std::string id;
    std::string instance_id;
    std::string client_id;
    std::string client_host;
    std::string protocol_type;
    std::vector<ClassicProtocol> protocols;
    absl::Duration session_timeout;
    absl::Duration rebalance_timeout;
    absl::Time last_heartbeat;
    std::string assignment;
    ClassicJoinCallback awaiting_join;  // set while its JoinGroup waits for the barrier
    ClassicSyncCallback awaiting_sync;  // set while its SyncGroup waits for the leader
  };

  // Common checks of a request naming a member: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, or NONE
  // with the member.
  int16_t FindMember(const std::string& member_id, const std::string& instance_id, Member** out);
  bool SupportsProtocols(const ClassicJoinRequest& request, const std::string& except) const;
  std::optional<ClassicJoinResponse> AddMemberAndRebalance(ClassicJoinRequest request,
                                                           std::string member_id, absl::Time now,
                                                           ClassicJoinCallback done);
  std::optional<ClassicJoinResponse> JoinKnownMember(Member& member, ClassicJoinRequest request,
                                                     absl::Time now, ClassicJoinCallback done);
  void UpdateMember(Member& member, ClassicJoinRequest request);
  ClassicJoinResponse CurrentJoinResponse(const Member& member) const;
  void PrepareRebalance(absl::Time now);
  void MaybeCompleteJoin(absl::Time now);
  void CompleteJoin(absl::Time now);
  std::string SelectProtocol() const;
  void RemoveMember(const std::string& member_id, int16_t error, absl::Time now);
  std::string MetadataOf(const Member& member) const;
  static size_t ProtocolBytes(const std::vector<ClassicProtocol>& protocols);

  const std::string group_id_;
  const ClassicGroupLimits limits_;
  const absl::Duration min_session_timeout_;
  const absl::Duration max_session_timeout_;
  const std::function<std::string(const std::string&)> new_member_id_;
  State state_ = State::kEmpty;
  int32_t generation_ = 0;
  std::string protocol_type_;
  std::string protocol_name_;
  std::string leader_;
  std::map<std::string, Member> members_;
  std::map<std::string, absl::Time> pending_;      // ids given with MEMBER_ID_REQUIRED: expiry
  std::map<std::string, std::string> static_ids_;  // instance id -> member id
  absl::Time rebalance_deadline_ = absl::InfinitePast();
  size_t bytes_ = 0;
};

}  // namespace choreo::broker
