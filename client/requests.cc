#include "client/requests.h"

#include <utility>

#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

proto::ListOffsetsRequest::Spec ToProto(OffsetSpec spec) {
  switch (spec) {
    case OffsetSpec::kEarliest:
      return proto::ListOffsetsRequest::EARLIEST;
    case OffsetSpec::kLatest:
      return proto::ListOffsetsRequest::LATEST;
    case OffsetSpec::kTimestamp:
      return proto::ListOffsetsRequest::TIMESTAMP;
  }
  return proto::ListOffsetsRequest::LATEST;
}

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

}  // namespace

Status RequireProtocolMinor(const Connection& connection, uint32_t minor, std::string_view what) {
  const BrokerInfo& broker = connection.broker();
  if (broker.protocol_major > kProtocolMajor ||
      (broker.protocol_major == kProtocolMajor && broker.protocol_minor >= minor)) {
    return OkStatus();
  }
  return Status(
      ErrorCode::kUnsupportedVersion,
      std::string(what) + " needs protocol " + std::to_string(kProtocolMajor) + "." +
          std::to_string(minor) + "; the broker speaks " + std::to_string(broker.protocol_major) +
          "." + std::to_string(broker.protocol_minor) + " (version " + broker.broker_version + ")");
}

Result<proto::Response> Roundtrip(Connection& connection, proto::Request request,
                                  proto::Response::BodyCase expected,
                                  std::chrono::milliseconds timeout) {
  return CheckResponse(connection.Call(std::move(request), timeout), expected);
}

TopicDescription ToDescription(const proto::TopicMetadata& metadata) {
  TopicDescription out;
  out.name = metadata.name();
  out.topic_id = metadata.topic_id();
  out.settings.partitions = metadata.config().partitions();
  out.settings.retention_ms = metadata.config().retention_ms();
  out.settings.retention_bytes = metadata.config().retention_bytes();
  out.settings.max_message_bytes = metadata.config().max_message_bytes();
  switch (metadata.config().event_index()) {
    case proto::EVENT_INDEX_ON:
      out.settings.event_index = EventIndexMode::kOn;
      break;
    case proto::EVENT_INDEX_OFF:
      out.settings.event_index = EventIndexMode::kOff;
      break;
    default:
      out.settings.event_index = EventIndexMode::kDefault;
  }
  out.settings.schema_validation =
      metadata.config().schema_validation() == proto::SCHEMA_VALIDATION_ON;
  out.settings.log_append_time =
      metadata.config().timestamp_type() == proto::TIMESTAMP_TYPE_LOG_APPEND_TIME;
  for (const proto::PartitionMetadata& p : metadata.partitions()) {
    out.partitions.push_back(
        PartitionDescription{p.partition(), p.log_start_offset(), p.high_watermark()});
  }
  if (out.settings.partitions == 0) {
    out.settings.partitions = static_cast<uint32_t>(out.partitions.size());
  }
  return out;
}

Result<std::vector<TopicDescription>> RequestMetadata(Connection& connection,
                                                      const std::vector<std::string>& topics,
                                                      std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::MetadataRequest* metadata = request.mutable_metadata();
  for (const std::string& topic : topics)
    metadata->add_topics(topic);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kMetadata, timeout);
  if (!response.ok()) return response.status();
  std::vector<TopicDescription> out;
  for (const proto::TopicMetadata& topic : response->metadata().topics()) {
    Status status = FromProtoError(topic.error());
    if (!status.ok()) {
      if (topics.empty()) continue;
      if (status.message().empty()) status = Status(status.code(), "topic '" + topic.name() + "'");
      return status;
    }
    out.push_back(ToDescription(topic));
  }
  for (const std::string& topic : topics) {
    bool found = false;
    for (const TopicDescription& d : out)
      found = found || d.name == topic;
    if (!found) return Status(ErrorCode::kUnknownTopic, "topic '" + topic + "' does not exist");
  }
  return out;
}

Result<std::vector<int64_t>> RequestOffsets(Connection& connection,
                                            const std::vector<OffsetQuery>& queries,
                                            std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::ListOffsetsRequest* list = request.mutable_list_offsets();
  for (const OffsetQuery& query : queries) {
    proto::ListOffsetsRequest::Partition* p = list->add_partitions();
    p->set_topic(query.partition.topic);
    p->set_partition(query.partition.partition);
    p->set_spec(ToProto(query.spec));
    p->set_timestamp_ms(query.timestamp_ms);
  }
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kListOffsets, timeout);
  if (!response.ok()) return response.status();
  std::vector<int64_t> out;
  out.reserve(queries.size());
  for (const OffsetQuery& query : queries) {
    const proto::ListOffsetsResponse::Partition* match = nullptr;
    for (const auto& p : response->list_offsets().partitions()) {
      if (p.topic() == query.partition.topic && p.partition() == query.partition.partition) {
        match = &p;
        break;
      }
    }
    if (match == nullptr) {
      return Status(ErrorCode::kProtocolError,
                    "broker did not answer the offset query for " + Describe(query.partition));
    }
    Status status = FromProtoError(match->error());
    if (!status.ok()) return status;
    out.push_back(match->offset());
  }
  return out;
}

Result<proto::StepCommitResponse> RequestStepCommit(Connection& connection,
                                                    proto::StepCommitRequest step,
                                                    std::chrono::milliseconds timeout) {
  proto::Request request;
  *request.mutable_step_commit() = std::move(step);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kStepCommit, timeout);
  if (!response.ok()) return response.status();
  return std::move(*response->mutable_step_commit());
}

}  // namespace choreo::client_internal
