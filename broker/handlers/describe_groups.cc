// DescribeGroups: members and assignments from the coordinator; per partition the committed
// offset, the log end offset (high watermark) and the lag between them, from the store. The
// partitions listed are those with a committed offset plus those assigned to a member.
#include <absl/time/clock.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/group/group_proto.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

void FillMembers(const GroupSnapshot& snapshot, proto::GroupDescription* out) {
  out->set_state(snapshot.state);
  out->set_group_epoch(snapshot.group_epoch);
  for (const MemberSnapshot& member : snapshot.members) {
    auto* m = out->add_members();
    m->set_member_id(member.member_id);
    m->set_instance_id(member.instance_id);
    m->set_client_id(member.client_id);
    m->set_member_epoch(member.member_epoch);
    PartitionsToProto(member.assignment, m->mutable_assignment());
  }
}

// Storage part of one description: offsets and lag. Blocking.
void FillOffsets(const BrokerServices& services, const std::optional<GroupSnapshot>& snapshot,
                 proto::GroupDescription* out) {
  const std::string& group = out->group_id();
  absl::StatusOr<std::vector<storage::GroupOffset>> committed =
      services.store.FetchGroupOffsets(group);
  if (!committed.ok()) {
    SetError(committed.status(), out->mutable_error());
    return;
  }
  if (!snapshot && committed->empty()) {
    out->set_state(kStateDead);
    SetError(proto::UNKNOWN_GROUP, "group '" + group + "' has no members and no committed offsets",
             out->mutable_error());
    return;
  }
  std::map<GroupPartition, const storage::GroupOffset*> partitions;
  for (const storage::GroupOffset& offset : *committed)
    partitions[GroupPartition{offset.topic, offset.partition}] = &offset;
  if (snapshot) {
    for (const MemberSnapshot& member : snapshot->members) {
      for (const GroupPartition& p : member.target)
        partitions.emplace(p, nullptr);
    }
  }
  for (const auto& [p, offset] : partitions) {
    absl::StatusOr<storage::PartitionOffsets> log = services.store.GetOffsets(p.topic, p.partition);
    if (!log.ok()) continue;  // deleted meanwhile
    auto* o = out->add_offsets();
    o->set_topic(p.topic);
    o->set_partition(p.partition);
    o->set_log_end_offset(log->high_watermark);
    o->set_committed_offset(offset != nullptr ? offset->offset : -1);
    o->set_lag(offset != nullptr ? std::max<int64_t>(0, log->high_watermark - offset->offset) : -1);
    if (offset != nullptr) o->set_metadata(offset->metadata);
  }
}

}  // namespace

asio::awaitable<proto::Response> HandleDescribeGroups(RequestContext& ctx,
                                                      proto::Request& request) {
  BrokerServices& services = ctx.services;
  proto::Response response;
  proto::DescribeGroupsResponse* body = response.mutable_describe_groups();
  for (const std::string& id : request.describe_groups().group_ids()) {
    proto::GroupDescription* out = body->add_groups();
    out->set_group_id(id);
    if (absl::Status valid = GroupCoordinator::ValidateGroupId(id); !valid.ok()) {
      SetError(valid, out->mutable_error());
      continue;
    }
    const std::optional<GroupSnapshot> snapshot = services.groups.Describe(id, absl::Now());
    if (snapshot) {
      FillMembers(*snapshot, out);
    } else {
      out->set_state(kStateEmpty);
    }
    co_await RunBlocking(services.blocking, [&] {
      FillOffsets(services, snapshot, out);
      return true;
    });
  }
  co_return response;
}

}  // namespace choreo::broker
