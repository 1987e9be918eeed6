// OffsetCommit: fencing by the coordinator (member id and epoch, and that the member holds each
// partition), per-partition checks against the topic table, then one atomic store commit of the
// partitions that passed.
#include <absl/time/clock.h>

#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// A per-partition error that needs no storage call, or NONE.
proto::ErrorCode CheckPartition(const BrokerServices& services,
                                const proto::OffsetCommitRequest::Partition& p,
                                std::string* message) {
  std::optional<storage::TopicInfo> topic = services.topics.Find(p.topic());
  if (!topic) {
    *message = "unknown topic '" + p.topic() + "'";
    return proto::UNKNOWN_TOPIC;
  }
  if (p.partition() >= topic->config.partitions) {
    *message = "topic '" + p.topic() + "' has no partition " + std::to_string(p.partition());
    return proto::INVALID_PARTITION;
  }
  if (p.offset() < 0) {
    *message = "a committed offset must not be negative";
    return proto::OFFSET_OUT_OF_RANGE;
  }
  return proto::NONE;
}

}  // namespace

asio::awaitable<proto::Response> HandleOffsetCommit(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::OffsetCommitRequest& commit = request.offset_commit();
  std::vector<GroupPartition> partitions;
  for (const auto& p : commit.partitions())
    partitions.push_back(GroupPartition{p.topic(), p.partition()});

  proto::Response response;
  proto::OffsetCommitResponse* body = response.mutable_offset_commit();
  std::vector<absl::Status> fenced;
  const absl::Status accepted =
      services.groups.CheckCommit(commit.group_id(), commit.member_id(), commit.member_epoch(),
                                  partitions, absl::Now(), &fenced);
  std::vector<storage::GroupOffset> offsets;
  std::vector<proto::Error*> pending;  // the errors of the partitions in `offsets`
  for (int i = 0; i < commit.partitions_size(); ++i) {
    const auto& p = commit.partitions(i);
    auto* out = body->add_partitions();
    out->set_topic(p.topic());
    out->set_partition(p.partition());
    if (!accepted.ok()) {
      SetError(accepted, out->mutable_error());
      continue;
    }
    std::string message;
    if (proto::ErrorCode code = CheckPartition(services, p, &message); code != proto::NONE) {
      SetError(code, message, out->mutable_error());
      continue;
    }
    if (!fenced[i].ok()) {
      SetError(fenced[i], out->mutable_error());
      continue;
    }
    offsets.push_back(storage::GroupOffset{p.topic(), p.partition(), p.offset(), p.metadata()});
    pending.push_back(out->mutable_error());
  }
  if (!accepted.ok()) {
    // A fenced member learns it from the request-level error as well.
    SetError(accepted, response.mutable_error());
    co_return response;
  }
  if (!offsets.empty()) {
    const std::string group = commit.group_id();
    const absl::Status stored = co_await RunBlocking(
        services.blocking, [&] { return services.store.CommitGroupOffsets(group, offsets); });
    for (proto::Error* error : pending)
      SetError(stored, error);
  }
  co_return response;
}

}  // namespace choreo::broker
