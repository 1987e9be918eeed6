#include "client/consumer/group_requests.h"

#include <utility>

#include "client/wire_status.h"

namespace choreo::client_internal {

proto::Request MakeOffsetCommit(const std::string& group_id, const std::string& member_id,
                                int32_t member_epoch, const OffsetMap& offsets) {
  proto::Request request;
  proto::OffsetCommitRequest* commit = request.mutable_offset_commit();
  commit->set_group_id(group_id);
  commit->set_member_id(member_id);
  commit->set_member_epoch(member_epoch);
  for (const auto& [tp, offset] : offsets) {
    proto::OffsetCommitRequest::Partition* p = commit->add_partitions();
    p->set_topic(tp.topic);
    p->set_partition(tp.partition);
    p->set_offset(offset.offset);
    p->set_metadata(offset.metadata);
  }
  return request;
}

Status CommitOutcome(Result<proto::Response> response) {
  Result<proto::Response> checked =
      CheckResponse(std::move(response), proto::Response::kOffsetCommit);
  if (!checked.ok()) return checked.status();
  for (const auto& p : checked->offset_commit().partitions()) {
    Status status = FromProtoError(p.error());
    if (!status.ok()) {
      return Status(status.code(),
                    p.topic() + "/" + std::to_string(p.partition()) + ": " + status.message());
    }
  }
  return OkStatus();
}

Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> FetchCommitted(
    Connection& connection, const std::string& group_id,
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::OffsetFetchRequest* fetch = request.mutable_offset_fetch();
  fetch->set_group_id(group_id);
  std::map<std::string, std::vector<uint32_t>> by_topic;
  for (const TopicPartition& tp : partitions)
    by_topic[tp.topic].push_back(tp.partition);
  for (const auto& [topic, numbers] : by_topic) {
    proto::TopicPartitions* tps = fetch->add_partitions();
    tps->set_topic(topic);
    for (uint32_t p : numbers)
      tps->add_partitions(p);
  }
  Result<proto::Response> response =
      CheckResponse(connection.Call(std::move(request), timeout), proto::Response::kOffsetFetch);
  if (!response.ok()) return response.status();
  std::map<TopicPartition, std::optional<OffsetAndMetadata>> out;
  for (const TopicPartition& tp : partitions)
    out[tp] = std::nullopt;
  for (const auto& p : response->offset_fetch().partitions()) {
    Status status = FromProtoError(p.error());
    if (!status.ok()) return status;
    std::optional<OffsetAndMetadata>& slot = out[TopicPartition{p.topic(), p.partition()}];
    if (p.offset() >= 0) slot = OffsetAndMetadata{p.offset(), p.metadata()};
  }
  return out;
}

}  // namespace choreo::client_internal
