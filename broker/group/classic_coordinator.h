// ClassicGroupCoordinator: every group of Kafka's classic group protocol (classic_group.h), for
// the Kafka listener's group handlers. Owned by the broker's GroupCoordinator, which is the one
// place that knows both kinds of groups.
//
// Mixing: a group id has either choreo (native) members or classic members, never both. A
// JoinGroup for a group with native members is answered INCONSISTENT_GROUP_PROTOCOL; the native
// coordinator refuses a native join while the classic group has members (HasMembers). Neither
// side holds its lock while asking the other: a classic join adds its member first and then asks
// the native side, backing out if a native member got in meanwhile; a native join asks under its
// own group lock. So of two racing joins of the two kinds at least one is refused.
//
// Committed offsets are not here: the handlers store them in the log store, under the group id,
// where choreo's own groups keep theirs.
//
// Memory: each group is bounded by ClassicGroupLimits; all groups together by `max_total_bytes`
// (metadata, assignments, and 256 bytes per member or handed-out id). A join or sync beyond it is
// answered COORDINATOR_NOT_AVAILABLE (retriable) and changes nothing.
//
// Threading: thread-safe; one lock for all classic groups (every operation is short and does no
// I/O). Callbacks (join and sync responses that waited) are called under it: they must only store
// the response and wake their waiter.
#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/group/classic_group.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

struct ClassicCoordinatorOptions {
  absl::Duration min_session_timeout = absl::Milliseconds(100);
  absl::Duration max_session_timeout = absl::Minutes(5);
  ClassicGroupLimits limits;
  size_t max_total_bytes = 256 * 1024 * 1024;
};

class ClassicGroupCoordinator {
 public:
  // `native_has_members(group_id, now)`: whether the native coordinator has members in the
  // group; called without this coordinator's lock held.
  using NativeMembers = std::function<bool(std::string_view group_id, absl::Time now)>;
  ClassicGroupCoordinator(ClassicCoordinatorOptions options, NativeMembers native_has_members);
  ~ClassicGroupCoordinator();

  // The group APIs (see ClassicGroup). Errors before the group: INVALID_GROUP_ID (empty or too
  // long id), INVALID_REQUEST (ids over 255 bytes, too many protocols, metadata or assignments
  // over the limits), INCONSISTENT_GROUP_PROTOCOL (the group has native members),
  // COORDINATOR_NOT_AVAILABLE (memory bound).
  std::optional<ClassicJoinResponse> Join(std::string_view group_id, ClassicJoinRequest request,
                                          absl::Time now, ClassicJoinCallback done)
      CHOREO_EXCLUDES(mu_);
  std::optional<ClassicSyncResponse> Sync(std::string_view group_id, int32_t generation,
                                          const std::string& member_id,
                                          const std::string& instance_id,
                                          const std::map<std::string, std::string>& assignments,
                                          absl::Time now, ClassicSyncCallback done)
      CHOREO_EXCLUDES(mu_);
  int16_t Heartbeat(std::string_view group_id, int32_t generation, const std::string& member_id,
                    const std::string& instance_id, absl::Time now) CHOREO_EXCLUDES(mu_);
  // One error per (member id, instance id).
  std::vector<int16_t> Leave(std::string_view group_id,
                             const std::vector<std::pair<std::string, std::string>>& members,
                             absl::Time now) CHOREO_EXCLUDES(mu_);
  // Fencing of an OffsetCommit (ClassicGroup::CheckCommit); a group unknown here accepts only a
  // simple consumer's commit (empty member id, generation < 0).
  int16_t CheckCommit(std::string_view group_id, int32_t generation, const std::string& member_id,
                      const std::string& instance_id, absl::Time now) CHOREO_EXCLUDES(mu_);

  // Whether the group has members (or ids handed out for a join).
  bool HasMembers(std::string_view group_id, absl::Time now) CHOREO_EXCLUDES(mu_);
  // Applies the group's deadlines (members expire, the join barrier times out) and returns the
  // next one, if any: a handler waiting for a join or sync calls this when it wakes.
  std::optional<absl::Time> Tick(std::string_view group_id, absl::Time now) CHOREO_EXCLUDES(mu_);
  std::optional<ClassicGroupSnapshot> Describe(std::string_view group_id, absl::Time now)
      CHOREO_EXCLUDES(mu_);
  // Every group with members, sorted by id.
  std::vector<ClassicGroupSnapshot> List(absl::Time now) CHOREO_EXCLUDES(mu_);
  // Bytes held by all groups (see above).
  size_t total_bytes() const CHOREO_EXCLUDES(mu_);

  // NONE, or INVALID_GROUP_ID for an empty id or one longer than the store allows.
  static int16_t ValidateGroupId(std::string_view group_id);

 private:
  // Runs fn(ClassicGroup&) on the group (created if `create`), after applying its deadlines;
  // keeps total_bytes_ and drops the group if it is left empty. Without the group (and not
  // `create`), returns `absent`.
  template <typename Fn, typename R>
  R WithGroup(std::string_view group_id, absl::Time now, bool create, R absent, Fn&& fn)
      CHOREO_REQUIRES(mu_);
  static size_t Footprint(const ClassicGroup& group);
  std::string NewMemberId(const std::string& client_id) CHOREO_EXCLUDES(random_mu_);

  const ClassicCoordinatorOptions options_;
  const NativeMembers native_has_members_;
  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<ClassicGroup>, std::less<>> groups_ CHOREO_GUARDED_BY(mu_);
  size_t total_bytes_ CHOREO_GUARDED_BY(mu_) = 0;
  Mutex random_mu_;  // a leaf: taken under mu_ (member ids are made inside a group call)
  std::mt19937_64 random_ CHOREO_GUARDED_BY(random_mu_);
};

}  // namespace choreo::broker
