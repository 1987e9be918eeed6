#include "broker/group/classic_coordinator.h"

#include <cstdio>

#include "broker/group/group_log.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {
namespace {

using namespace classic_error;  // NOLINT(build/namespaces)

constexpr size_t kMaxIdLength = 255;
constexpr size_t kBytesPerMember = 256;

}  // namespace

ClassicGroupCoordinator::ClassicGroupCoordinator(ClassicCoordinatorOptions options,
                                                 NativeMembers native_has_members)
    : options_(std::move(options)),
      native_has_members_(std::move(native_has_members)),
      random_(std::random_device{}()) {}

ClassicGroupCoordinator::~ClassicGroupCoordinator() = default;

int16_t ClassicGroupCoordinator::ValidateGroupId(std::string_view group_id) {
  if (group_id.empty() || group_id.size() > storage::kMaxGroupIdLength) return kInvalidGroupId;
  return kNone;
}

size_t ClassicGroupCoordinator::Footprint(const ClassicGroup& group) {
  return group.bytes() + kBytesPerMember * group.member_count();
}

std::string ClassicGroupCoordinator::NewMemberId(const std::string& client_id) {
  MutexLock lock(&random_mu_);
  char suffix[40];
  std::snprintf(suffix, sizeof(suffix), "-%016llx%016llx",
                static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  // Kafka's form: the client id, then a unique suffix.
  return client_id.substr(0, 64) + suffix;
}

template <typename Fn, typename R>
R ClassicGroupCoordinator::WithGroup(std::string_view group_id, absl::Time now, bool create,
                                     R absent, Fn&& fn) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) {
    if (!create) return absent;
    it = groups_
             .emplace(std::string(group_id),
                      std::make_unique<ClassicGroup>(
                          std::string(group_id), options_.limits, options_.min_session_timeout,
                          options_.max_session_timeout,
                          [this](const std::string& client_id) { return NewMemberId(client_id); }))
             .first;
  }
  ClassicGroup& group = *it->second;
  const size_t before = Footprint(group);
  group.Tick(now);
  R result = fn(group);
  total_bytes_ = total_bytes_ - before + Footprint(group);
  if (group.empty()) groups_.erase(it);
  return result;
}

std::optional<ClassicJoinResponse> ClassicGroupCoordinator::Join(std::string_view group_id,
                                                                 ClassicJoinRequest request,
                                                                 absl::Time now,
                                                                 ClassicJoinCallback done) {
  using Response = std::optional<ClassicJoinResponse>;
  auto refuse = [&](int16_t error) { return Response(ClassicJoinError(error, request.member_id)); };
  if (int16_t error = ValidateGroupId(group_id); error != kNone) return refuse(error);
  if (request.member_id.size() > kMaxIdLength || request.instance_id.size() > kMaxIdLength ||
      request.protocol_type.size() > kMaxIdLength ||
      request.protocols.size() > options_.limits.max_protocols) {
    return refuse(kInvalidRequest);
  }
  size_t metadata = 0;
  for (const ClassicProtocol& p : request.protocols)
    metadata += p.name.size() + p.metadata.size();
  if (metadata > options_.limits.max_metadata_bytes) return refuse(kInvalidRequest);
  if (native_has_members_ && native_has_members_(group_id, now))
    return refuse(kInconsistentGroupProtocol);
  std::string added;
  Response response;
  {
    MutexLock lock(&mu_);
    if (total_bytes_ + metadata + kBytesPerMember > options_.max_total_bytes)
      return refuse(kCoordinatorNotAvailable);
    response = WithGroup(group_id, now, /*create=*/true, Response(), [&](ClassicGroup& group) {
      return group.Join(std::move(request), now, std::move(done), &added);
    });
  }
  if (added.empty() || !native_has_members_ || !native_has_members_(group_id, now)) return response;
  // A native member got in between the first check and this member's arrival: back out.
  MutexLock lock(&mu_);
  WithGroup(group_id, now, /*create=*/false, false, [&](ClassicGroup& group) {
    return group.Remove(added, kInconsistentGroupProtocol, now);
  });
  return ClassicJoinError(kInconsistentGroupProtocol, added);
}

std::optional<ClassicSyncResponse> ClassicGroupCoordinator::Sync(
    std::string_view group_id, int32_t generation, const std::string& member_id,
    const std::string& instance_id, const std::map<std::string, std::string>& assignments,
    absl::Time now, ClassicSyncCallback done) {
  using Response = std::optional<ClassicSyncResponse>;
  if (int16_t error = ValidateGroupId(group_id); error != kNone) return ClassicSyncResult(error);
  size_t total = 0;
  for (const auto& [id, assignment] : assignments) {
    if (assignment.size() > options_.limits.max_assignment_bytes)
      return ClassicSyncResult(kInvalidRequest);
    total += id.size() + assignment.size();
  }
  if (total > options_.limits.max_group_assignment_bytes) return ClassicSyncResult(kInvalidRequest);
  MutexLock lock(&mu_);
  if (total_bytes_ + total > options_.max_total_bytes)
    return ClassicSyncResult(kCoordinatorNotAvailable);
  return WithGroup(group_id, now, /*create=*/false, Response(ClassicSyncResult(kUnknownMemberId)),
                   [&](ClassicGroup& group) {
                     return group.Sync(generation, member_id, instance_id, assignments, now,
                                       std::move(done));
                   });
}

int16_t ClassicGroupCoordinator::Heartbeat(std::string_view group_id, int32_t generation,
                                           const std::string& member_id,
                                           const std::string& instance_id, absl::Time now) {
  if (int16_t error = ValidateGroupId(group_id); error != kNone) return error;
  MutexLock lock(&mu_);
  return WithGroup(group_id, now, /*create=*/false, kUnknownMemberId, [&](ClassicGroup& group) {
    return group.Heartbeat(generation, member_id, instance_id, now);
  });
}

std::vector<int16_t> ClassicGroupCoordinator::Leave(
    std::string_view group_id, const std::vector<std::pair<std::string, std::string>>& members,
    absl::Time now) {
  std::vector<int16_t> errors;
  if (ValidateGroupId(group_id) != kNone) {
    errors.assign(members.size(), kInvalidGroupId);
    return errors;
  }
  MutexLock lock(&mu_);
  for (const auto& member : members) {
    const std::string& member_id = member.first;
    const std::string& instance_id = member.second;
    errors.push_back(
        WithGroup(group_id, now, /*create=*/false, kUnknownMemberId,
                  [&](ClassicGroup& group) { return group.Leave(member_id, instance_id, now); }));
    if (errors.back() == kNone) {
      GroupLog().info("kafka group {}: member {} left", std::string(group_id),
                      member_id.empty() ? instance_id : member_id);
    }
  }
  return errors;
}

int16_t ClassicGroupCoordinator::CheckCommit(std::string_view group_id, int32_t generation,
                                             const std::string& member_id,
                                             const std::string& instance_id, absl::Time now) {
  if (int16_t error = ValidateGroupId(group_id); error != kNone) return error;
  const int16_t absent = member_id.empty() && generation < 0 ? kNone : kUnknownMemberId;
  MutexLock lock(&mu_);
  return WithGroup(group_id, now, /*create=*/false, absent, [&](ClassicGroup& group) {
    return group.CheckCommit(generation, member_id, instance_id, now);
  });
}

bool ClassicGroupCoordinator::HasMembers(std::string_view group_id, absl::Time now) {
  MutexLock lock(&mu_);
  return WithGroup(group_id, now, /*create=*/false, false,
                   [](ClassicGroup& group) { return !group.empty(); });
}

std::optional<absl::Time> ClassicGroupCoordinator::Tick(std::string_view group_id, absl::Time now) {
  MutexLock lock(&mu_);
  return WithGroup(group_id, now, /*create=*/false, std::optional<absl::Time>(),
                   [](ClassicGroup& group) { return group.NextDeadline(); });
}

std::optional<ClassicGroupSnapshot> ClassicGroupCoordinator::Describe(std::string_view group_id,
                                                                      absl::Time now) {
  MutexLock lock(&mu_);
  return WithGroup(group_id, now, /*create=*/false, std::optional<ClassicGroupSnapshot>(),
                   [](ClassicGroup& group) -> std::optional<ClassicGroupSnapshot> {
                     if (group.member_count() == 0) return std::nullopt;
                     return group.Snapshot();
                   });
}

std::vector<ClassicGroupSnapshot> ClassicGroupCoordinator::List(absl::Time now) {
  std::vector<std::string> ids;
  {
    MutexLock lock(&mu_);
    for (const auto& [id, group] : groups_)
      ids.push_back(id);
  }
  std::vector<ClassicGroupSnapshot> out;
  for (const std::string& id : ids)
    if (std::optional<ClassicGroupSnapshot> snapshot = Describe(id, now)) out.push_back(*snapshot);
  return out;
}

size_t ClassicGroupCoordinator::total_bytes() const {
  MutexLock lock(&mu_);
  return total_bytes_;
}

}  // namespace choreo::broker
