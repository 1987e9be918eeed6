#include "choreo/client/admin.h"

#include <algorithm>
#include <utility>

#include "client/connection.h"
#include "client/consumer/connection_holder.h"
#include "client/consumer/group_admin.h"
#include "client/event_index_requests.h"
#include "client/requests.h"
#include "client/schema_requests.h"
#include "client/security_requests.h"
#include "client/wire_status.h"

namespace choreo {

using client_internal::Connection;
using client_internal::FromProtoError;
using client_internal::Roundtrip;

namespace {

proto::EventIndexMode ToProto(EventIndexMode mode) {
  switch (mode) {
    case EventIndexMode::kDefault:
      return proto::EVENT_INDEX_DEFAULT;
    case EventIndexMode::kOn:
      return proto::EVENT_INDEX_ON;
    case EventIndexMode::kOff:
      return proto::EVENT_INDEX_OFF;
  }
  return proto::EVENT_INDEX_DEFAULT;
}

}  // namespace

class Admin::Impl {
 public:
  Impl(const ClientOptions& options, std::unique_ptr<Connection> connection, Status not_connected)
      : options_(options), connections_(options, std::move(connection), std::move(not_connected)) {}

  // The connection for one call: the current one, or a new one, waited for up to
  // request_timeout (the broker may not be up yet, or restarting).
  Result<std::shared_ptr<Connection>> Connected() {
    return connections_.WaitConnected(client_internal::ConnectionHolder::Clock::now() +
                                      options_.request_timeout);
  }

  Status TopicRequest(Connection& connection, proto::Request request,
                      proto::Response::BodyCase expected, std::string_view name) {
    Result<proto::Response> response =
        Roundtrip(connection, std::move(request), expected, options_.request_timeout);
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
  client_internal::ConnectionHolder connections_;
};

Result<std::unique_ptr<Admin>> Admin::Connect(const ClientOptions& options) {
  if (Status valid = client_internal::ValidateClientOptions(options); !valid.ok()) return valid;
  // One attempt now; a broker that is not reachable yet is waited for by the calls.
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  if (!connection.ok() && !client_internal::IsUnreachable(connection.status())) {
    return connection.status();
  }
  std::unique_ptr<Connection> first;
  if (connection.ok()) first = std::move(connection).value();
  return std::unique_ptr<Admin>(
      new Admin(std::make_unique<Impl>(options, std::move(first), connection.status())));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Admin::~Admin() = default;

Status Admin::CreateTopic(std::string_view name, const TopicSettings& settings) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  proto::Request request;
  proto::CreateTopicsRequest::Topic* topic = request.mutable_create_topics()->add_topics();
  topic->set_name(std::string(name));
  proto::TopicConfig* config = topic->mutable_config();
  config->set_partitions(settings.partitions);
  config->set_retention_ms(settings.retention_ms);
  config->set_retention_bytes(settings.retention_bytes);
  config->set_max_message_bytes(settings.max_message_bytes);
  if (settings.event_index != EventIndexMode::kDefault) {
    // An older broker would ignore the field and index (or not) regardless.
    Status supported = client_internal::RequireEventIndex(**connection, "the event-index setting");
    if (!supported.ok()) return supported;
    config->set_event_index(ToProto(settings.event_index));
  }
  if (settings.schema_validation) {
    // An older broker would ignore the field and accept every record.
    Status supported = client_internal::RequireProtocolMinor(
        **connection, client_internal::kSchemaRegistryMinor, "schema validation");
    if (!supported.ok()) return supported;
    config->set_schema_validation(proto::SCHEMA_VALIDATION_ON);
  }
  if (settings.log_append_time) {
    // An older broker would ignore the field and keep the producers' timestamps.
    Status supported = client_internal::RequireProtocolMinor(
        **connection, proto::kTimestampTypeMinor, "timestamp_type=log_append_time");
    if (!supported.ok()) return supported;
    config->set_timestamp_type(proto::TIMESTAMP_TYPE_LOG_APPEND_TIME);
  }
  return impl_->TopicRequest(**connection, std::move(request), proto::Response::kCreateTopics,
                             name);
}

Status Admin::DeleteTopic(std::string_view name) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  proto::Request request;
  request.mutable_delete_topics()->add_names(std::string(name));
  return impl_->TopicRequest(**connection, std::move(request), proto::Response::kDeleteTopics,
                             name);
}

Result<std::vector<TopicDescription>> Admin::ListTopics() {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::RequestMetadata(**connection, {}, impl_->options_.request_timeout);
}

Result<TopicDescription> Admin::DescribeTopic(std::string_view name) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  Result<std::vector<TopicDescription>> topics = client_internal::RequestMetadata(
      **connection, {std::string(name)}, impl_->options_.request_timeout);
  if (!topics.ok()) return topics.status();
  for (TopicDescription& topic : *topics) {
    if (topic.name == name) return std::move(topic);
  }
  return Status(ErrorCode::kUnknownTopic, "topic '" + std::string(name) + "' does not exist");
}

Result<TopicDescription> Admin::AlterTopic(std::string_view name, const TopicChanges& changes) {
  if (!changes.partitions && !changes.retention_ms && !changes.retention_bytes &&
      !changes.max_message_bytes && !changes.event_index && !changes.schema_validation &&
      !changes.log_append_time) {
    return Status(ErrorCode::kInvalidArgument,
                  "no change to make to topic '" + std::string(name) + "'");
  }
  if (changes.partitions == 0u || changes.retention_ms == 0 || changes.retention_bytes == 0 ||
      changes.max_message_bytes == 0u) {
    return Status(ErrorCode::kInvalidArgument,
                  "topic settings cannot be changed to 0 (retention takes -1 for unlimited)");
  }
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  proto::Request request;
  proto::AlterTopicRequest* alter = request.mutable_alter_topic();
  alter->set_name(std::string(name));
  proto::TopicConfig* config = alter->mutable_config();  // 0 = unchanged
  config->set_partitions(changes.partitions.value_or(0));
  config->set_retention_ms(changes.retention_ms.value_or(0));
  config->set_retention_bytes(changes.retention_bytes.value_or(0));
  config->set_max_message_bytes(changes.max_message_bytes.value_or(0));
  if (changes.event_index) {
    Status supported = client_internal::RequireEventIndex(**connection, "the event-index setting");
    if (!supported.ok()) return supported;
    config->set_event_index(*changes.event_index ? proto::EVENT_INDEX_ON : proto::EVENT_INDEX_OFF);
  }
  if (changes.schema_validation) {
    Status supported = client_internal::RequireProtocolMinor(
        **connection, client_internal::kSchemaRegistryMinor, "schema validation");
    if (!supported.ok()) return supported;
    config->set_schema_validation(*changes.schema_validation ? proto::SCHEMA_VALIDATION_ON
                                                             : proto::SCHEMA_VALIDATION_OFF);
  }
  if (changes.log_append_time) {
    Status supported = client_internal::RequireProtocolMinor(
        **connection, proto::kTimestampTypeMinor, "the timestamp type");
    if (!supported.ok()) return supported;
    config->set_timestamp_type(*changes.log_append_time ? proto::TIMESTAMP_TYPE_LOG_APPEND_TIME
                                                        : proto::TIMESTAMP_TYPE_CREATE_TIME);
  }
  Result<proto::Response> response =
      client_internal::Roundtrip(**connection, std::move(request), proto::Response::kAlterTopic,
                                 impl_->options_.request_timeout);
  if (!response.ok()) return response.status();
  return client_internal::ToDescription(response->alter_topic().topic());
}

Result<int64_t> Admin::ListOffset(const TopicPartition& tp, OffsetSpec spec, int64_t timestamp_ms) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  Result<std::vector<int64_t>> offsets = client_internal::RequestOffsets(
      **connection, {{tp, spec, timestamp_ms}}, impl_->options_.request_timeout);
  if (!offsets.ok()) return offsets.status();
  return offsets->front();
}

Result<std::vector<GroupListing>> Admin::ListGroups() {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ListGroups(**connection, impl_->options_.request_timeout);
}

Result<GroupDescription> Admin::DescribeGroup(std::string_view group_id) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::DescribeGroup(**connection, std::string(group_id),
                                        impl_->options_.request_timeout);
}

Result<std::map<TopicPartition, int64_t>> Admin::ResetGroupOffsets(
    std::string_view group_id, std::string_view topic, std::optional<uint32_t> partition,
    const OffsetResetSpec& spec) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ResetGroupOffsets(**connection, std::string(group_id), std::string(topic),
                                            partition, spec, impl_->options_.request_timeout);
}

Status Admin::DeleteGroup(std::string_view group_id) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::DeleteGroup(**connection, std::string(group_id),
                                      impl_->options_.request_timeout);
}

Result<EventPage> Admin::FindEvents(const EventQuery& query) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::FindEvents(**connection, query, impl_->options_.request_timeout);
}

Result<EventPage> Admin::FindEventsUpTo(EventQuery query, uint64_t max_events) {
  if (max_events == 0) return Status(ErrorCode::kInvalidArgument, "max_events must be positive");
  constexpr uint64_t kPage = 1000;
  EventPage out;
  while (true) {
    const uint64_t remaining = max_events - out.events.size();
    query.limit = static_cast<uint32_t>(std::min(remaining, kPage));
    Result<EventPage> page = FindEvents(query);
    if (!page.ok()) return page.status();
    for (IndexedEvent& event : page->events)
      out.events.push_back(std::move(event));
    // A page may be empty and still have a token (the broker's scan is bounded and skips entries
    // whose record is gone); a token that does not move, though, would loop forever.
    if (page->next_page_token == query.page_token && !query.page_token.empty()) {
      return Status(ErrorCode::kProtocolError, "the broker returned the same page token twice");
    }
    out.next_page_token = std::move(page->next_page_token);
    if (out.next_page_token.empty() || out.events.size() >= max_events) return out;
    query.page_token = out.next_page_token;
  }
}

Status Admin::DefineSaga(const SagaDefinition& definition) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::DefineSaga(**connection, definition, impl_->options_.request_timeout);
}

Status Admin::RemoveSagaDefinition(std::string_view name) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::RemoveSagaDefinition(**connection, std::string(name),
                                               impl_->options_.request_timeout);
}

Result<std::vector<SagaDefinition>> Admin::ListSagaDefinitions() {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ListSagaDefinitions(**connection, impl_->options_.request_timeout);
}

Result<StuckSagas> Admin::FindStuckSagas(std::string_view definition, uint32_t limit) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::FindStuckSagas(**connection, std::string(definition), limit,
                                         impl_->options_.request_timeout);
}

Result<std::vector<SchemaVerdict>> Admin::RegisterSchema(std::string_view descriptor_set,
                                                         const std::vector<std::string>& types) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::RegisterSchema(**connection, descriptor_set, types,
                                         impl_->options_.request_timeout);
}

Result<std::vector<SchemaVerdict>> Admin::CheckSchema(std::string_view descriptor_set,
                                                      const std::vector<std::string>& types) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::CheckSchema(**connection, descriptor_set, types,
                                      impl_->options_.request_timeout);
}

Result<std::vector<SchemaSubject>> Admin::ListSchemas() {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ListSchemas(**connection, impl_->options_.request_timeout);
}

Result<SchemaVersion> Admin::GetSchema(std::string_view subject, uint32_t version) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::GetSchema(**connection, subject, version,
                                    impl_->options_.request_timeout);
}

Status Admin::UpsertUser(std::string_view name, std::string_view password, uint32_t iterations) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::UpsertUser(**connection, name, password, iterations,
                                     impl_->options_.request_timeout);
}

Status Admin::DeleteUser(std::string_view name) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::DeleteUser(**connection, name, impl_->options_.request_timeout);
}

Result<std::vector<UserDescription>> Admin::ListUsers() {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ListUsers(**connection, impl_->options_.request_timeout);
}

Status Admin::CreateAcls(const std::vector<AclBinding>& acls) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::CreateAcls(**connection, acls, impl_->options_.request_timeout);
}

Result<uint32_t> Admin::DeleteAcls(const std::vector<AclBinding>& acls) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::DeleteAcls(**connection, acls, impl_->options_.request_timeout);
}

Result<std::vector<AclBinding>> Admin::ListAcls(std::string_view principal) {
  Result<std::shared_ptr<Connection>> connection = impl_->Connected();
  if (!connection.ok()) return connection.status();
  return client_internal::ListAcls(**connection, principal, impl_->options_.request_timeout);
}

}  // namespace choreo
