// OffsetFetch: the group's committed offsets, from the store. Unfenced: anyone may read them.
#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

void AddOffset(const storage::GroupOffset& offset, proto::OffsetFetchResponse* body) {
  auto* out = body->add_partitions();
  out->set_topic(offset.topic);
  out->set_partition(offset.partition);
  out->set_offset(offset.offset);
  out->set_metadata(offset.metadata);
}

proto::OffsetFetchResponse FetchOffsets(const BrokerServices& services,
                                        const proto::OffsetFetchRequest& request,
                                        absl::Status* failure) {
  proto::OffsetFetchResponse body;
  if (request.partitions().empty()) {
    absl::StatusOr<std::vector<storage::GroupOffset>> all =
        services.store.FetchGroupOffsets(request.group_id());
    if (!all.ok()) {
      *failure = all.status();
      return body;
    }
    for (const storage::GroupOffset& offset : *all)
      AddOffset(offset, &body);
    return body;
  }
  // Unknown topics and partitions are answered per partition; the store answers the rest at once.
  std::vector<storage::TopicPartition> wanted;
  for (const proto::TopicPartitions& topic : request.partitions()) {
    std::optional<storage::TopicInfo> info = services.topics.Find(topic.topic());
    for (uint32_t partition : topic.partitions()) {
      if (info && partition < info->config.partitions) {
        wanted.push_back(storage::TopicPartition{topic.topic(), partition});
        continue;
      }
      auto* out = body.add_partitions();
      out->set_topic(topic.topic());
      out->set_partition(partition);
      out->set_offset(-1);
      if (!info) {
        SetError(proto::UNKNOWN_TOPIC, "unknown topic '" + topic.topic() + "'",
                 out->mutable_error());
      } else {
        SetError(proto::INVALID_PARTITION,
                 "topic '" + topic.topic() + "' has no partition " + std::to_string(partition),
                 out->mutable_error());
      }
    }
  }
  if (wanted.empty()) return body;
  absl::StatusOr<std::vector<storage::GroupOffset>> found =
      services.store.FetchGroupOffsets(request.group_id(), wanted);
  if (!found.ok()) {
    *failure = found.status();
    return body;
  }
  for (const storage::GroupOffset& offset : *found)
    AddOffset(offset, &body);
  return body;
}

}  // namespace

asio::awaitable<proto::Response> HandleOffsetFetch(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::OffsetFetchRequest& fetch = request.offset_fetch();
  proto::Response response;
  if (absl::Status valid = GroupCoordinator::ValidateGroupId(fetch.group_id()); !valid.ok()) {
    SetError(valid, response.mutable_error());
    co_return response;
  }
  absl::Status failure;
  *response.mutable_offset_fetch() = co_await RunBlocking(
      services.blocking, [&] { return FetchOffsets(services, fetch, &failure); });
  if (!failure.ok()) {
    response.clear_offset_fetch();
    SetError(failure, response.mutable_error());
  }
  co_return response;
}

}  // namespace choreo::broker
