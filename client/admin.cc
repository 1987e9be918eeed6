#include "choreo/client/admin.h"

#include <utility>

#include "client/connection.h"
#include "client/requests.h"
#include "client/wire_status.h"

namespace choreo {

using client_internal::Connection;
using client_internal::FromProtoError;
using client_internal::Roundtrip;

class Admin::Impl {
 public:
  Impl(const ClientOptions& options, std::unique_ptr<Connection> connection)
      : options_(options), connection_(std::move(connection)) {}

  Status TopicRequest(proto::Request request, proto::Response::BodyCase expected,
                      std::string_view name) {
    Result<proto::Response> response =
        Roundtrip(*connection_, std::move(request), expected, options_.request_timeout);
    if (!response.ok()) return response.status();
    const auto& results = expected == proto::Response::kCreateTopics
                              ? response->create_topics().results()
                              : response->delete_topics().results();
    for (const proto::TopicResult& result : results) {
      if (result.name() == name) return FromProtoError(result.error());
    }
    return Status(ErrorCode::kProtocolError,
                  "broker did not report on topic '" + std::string(name) + "'");
  }

  const ClientOptions options_;
  const std::unique_ptr<Connection> connection_;
};

Result<std::unique_ptr<Admin>> Admin::Connect(const ClientOptions& options) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<Admin>(
      new Admin(std::make_unique<Impl>(options, std::move(connection).value())));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Admin::~Admin() = default;

Status Admin::CreateTopic(std::string_view name, const TopicSettings& settings) {
  proto::Request request;
  proto::CreateTopicsRequest::Topic* topic = request.mutable_create_topics()->add_topics();
  topic->set_name(std::string(name));
  proto::TopicConfig* config = topic->mutable_config();
  config->set_partitions(settings.partitions);
  config->set_retention_ms(settings.retention_ms);
  config->set_retention_bytes(settings.retention_bytes);
  config->set_max_message_bytes(settings.max_message_bytes);
  return impl_->TopicRequest(std::move(request), proto::Response::kCreateTopics, name);
}

Status Admin::DeleteTopic(std::string_view name) {
  proto::Request request;
  request.mutable_delete_topics()->add_names(std::string(name));
  return impl_->TopicRequest(std::move(request), proto::Response::kDeleteTopics, name);
}

Result<std::vector<TopicDescription>> Admin::ListTopics() {
  return client_internal::RequestMetadata(*impl_->connection_, {}, impl_->options_.request_timeout);
}

Result<TopicDescription> Admin::DescribeTopic(std::string_view name) {
  Result<std::vector<TopicDescription>> topics = client_internal::RequestMetadata(
      *impl_->connection_, {std::string(name)}, impl_->options_.request_timeout);
  if (!topics.ok()) return topics.status();
  for (TopicDescription& topic : *topics) {
    if (topic.name == name) return std::move(topic);
  }
  return Status(ErrorCode::kUnknownTopic, "topic '" + std::string(name) + "' does not exist");
}

Result<int64_t> Admin::ListOffset(const TopicPartition& tp, OffsetSpec spec, int64_t timestamp_ms) {
  Result<std::vector<int64_t>> offsets = client_internal::RequestOffsets(
      *impl_->connection_, {{tp, spec, timestamp_ms}}, impl_->options_.request_timeout);
  if (!offsets.ok()) return offsets.status();
  return offsets->front();
}

}  // namespace choreo
