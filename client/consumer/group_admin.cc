#include "client/consumer/group_admin.h"

#include <algorithm>
#include <utility>

#include "client/consumer/group_requests.h"
#include "client/requests.h"
#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

std::vector<TopicPartition> FromProto(
    const google::protobuf::RepeatedPtrField<proto::TopicPartitions>& wire) {
  std::vector<TopicPartition> out;
  for (const proto::TopicPartitions& topic : wire) {
    for (uint32_t p : topic.partitions())
      out.push_back(TopicPartition{topic.topic(), p});
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The offsets `spec` names for `partitions`, each within [log start, high watermark].
Result<std::vector<int64_t>> ResolveSpec(Connection& connection, const std::string& topic,
                                         const std::vector<PartitionDescription>& partitions,
                                         const OffsetResetSpec& spec,
                                         std::chrono::milliseconds timeout) {
  std::vector<int64_t> out;
  if (spec.kind == OffsetResetSpec::Kind::kOffset) {
    for (const PartitionDescription& p : partitions)
      out.push_back(std::clamp(spec.value, p.log_start_offset, p.high_watermark));
    return out;
  }
  std::vector<OffsetQuery> queries;
  for (const PartitionDescription& p : partitions) {
    OffsetQuery query{TopicPartition{topic, p.partition}, OffsetSpec::kEarliest, spec.value};
    if (spec.kind == OffsetResetSpec::Kind::kLatest) query.spec = OffsetSpec::kLatest;
    if (spec.kind == OffsetResetSpec::Kind::kTimestamp) query.spec = OffsetSpec::kTimestamp;
    queries.push_back(query);
  }
  Result<std::vector<int64_t>> offsets = RequestOffsets(connection, queries, timeout);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < partitions.size(); ++i) {
    // No record that recent: start after everything present.
    out.push_back((*offsets)[i] < 0 ? partitions[i].high_watermark : (*offsets)[i]);
  }
  return out;
}

}  // namespace

Result<std::vector<GroupListing>> ListGroups(Connection& connection,
                                             std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_list_groups();
  Result<proto::Response> response =
      CheckResponse(connection.Call(std::move(request), timeout), proto::Response::kListGroups);
  if (!response.ok()) return response.status();
  std::vector<GroupListing> out;
  for (const auto& group : response->list_groups().groups())
    out.push_back(GroupListing{group.group_id(), group.state(), group.members()});
  return out;
}

Result<GroupDescription> DescribeGroup(Connection& connection, const std::string& group_id,
                                       std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_describe_groups()->add_group_ids(group_id);
  Result<proto::Response> response =
      CheckResponse(connection.Call(std::move(request), timeout), proto::Response::kDescribeGroups);
  if (!response.ok()) return response.status();
  for (const proto::GroupDescription& group : response->describe_groups().groups()) {
    if (group.group_id() != group_id) continue;
    if (Status status = FromProtoError(group.error()); !status.ok()) return status;
    GroupDescription out{group.group_id(), group.state(), group.group_epoch(), {}, {}};
    for (const auto& m : group.members()) {
      out.members.push_back(GroupMemberDescription{m.member_id(), m.instance_id(), m.client_id(),
                                                   m.member_epoch(), FromProto(m.assignment())});
    }
    for (const auto& o : group.offsets()) {
      out.offsets.push_back(GroupPartitionOffset{TopicPartition{o.topic(), o.partition()},
                                                 o.committed_offset(), o.log_end_offset(), o.lag(),
                                                 o.metadata()});
    }
    return out;
  }
  return Status(ErrorCode::kProtocolError, "broker did not describe group '" + group_id + "'");
}

Result<std::map<TopicPartition, int64_t>> ResetGroupOffsets(Connection& connection,
                                                            const std::string& group_id,
                                                            const std::string& topic,
                                                            std::optional<uint32_t> partition,
                                                            const OffsetResetSpec& spec,
                                                            std::chrono::milliseconds timeout) {
  Result<std::vector<TopicDescription>> topics = RequestMetadata(connection, {topic}, timeout);
  if (!topics.ok()) return topics.status();
  std::vector<PartitionDescription> partitions;
  for (const PartitionDescription& p : topics->front().partitions) {
    if (!partition || p.partition == *partition) partitions.push_back(p);
  }
  if (partitions.empty()) {
    return Status(ErrorCode::kInvalidPartition,
                  "topic '" + topic + "' has no partition " +
                      (partition ? std::to_string(*partition) : std::string("at all")));
  }
  Result<std::vector<int64_t>> offsets = ResolveSpec(connection, topic, partitions, spec, timeout);
  if (!offsets.ok()) return offsets.status();
  OffsetMap commit;
  std::map<TopicPartition, int64_t> out;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const TopicPartition tp{topic, partitions[i].partition};
    commit[tp] = OffsetAndMetadata{(*offsets)[i], ""};
    out[tp] = (*offsets)[i];
  }
  // An administrative commit (no member id): the broker refuses it while the group has members.
  Status committed =
      CommitOutcome(connection.Call(MakeOffsetCommit(group_id, "", 0, commit), timeout));
  if (!committed.ok()) return committed;
  return out;
}

Status DeleteGroup(Connection& connection, const std::string& group_id,
                   std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_delete_groups()->add_group_ids(group_id);
  Result<proto::Response> response =
      CheckResponse(connection.Call(std::move(request), timeout), proto::Response::kDeleteGroups);
  if (!response.ok()) return response.status();
  for (const auto& result : response->delete_groups().results()) {
    if (result.group_id() == group_id) return FromProtoError(result.error());
  }
  return Status(ErrorCode::kProtocolError, "broker did not report on group '" + group_id + "'");
}

}  // namespace choreo::client_internal
