#include "client/event_index_requests.h"

#include <utility>

#include "client/requests.h"

namespace choreo::client_internal {
namespace {

// The index's largest page and stuck-saga list (storage's kMaxEventQueryLimit).
constexpr uint32_t kMaxLimit = 10000;

proto::EventIndexKind ToProto(EventLookup by) {
  switch (by) {
    case EventLookup::kSaga:
      return proto::BY_SAGA;
    case EventLookup::kEventId:
      return proto::BY_EVENT_ID;
    case EventLookup::kType:
      return proto::BY_TYPE;
    case EventLookup::kKey:
      return proto::BY_KEY;
  }
  return proto::EVENT_INDEX_KIND_UNSPECIFIED;
}

Status InvalidArgument(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Status RequireEventIndex(const Connection& connection, std::string_view what) {
  return RequireProtocolMinor(connection, kEventIndexMinor, what);
}

IndexedEvent FromProto(const proto::IndexedEvent& event) {
  return IndexedEvent{.topic = event.topic(),
                      .partition = event.partition(),
                      .offset = event.offset(),
                      .time_ms = event.time_ms(),
                      .type = event.type(),
                      .source = event.source(),
                      .event_id = event.event_id(),
                      .saga_id = event.saga_id(),
                      .causation_id = event.causation_id(),
                      .key = event.key(),
                      .dlq_kind = event.dlq_kind()};
}

SagaDefinition FromProto(const proto::SagaDefinition& definition) {
  return SagaDefinition{
      .name = definition.name(),
      .start_types = {definition.start_types().begin(), definition.start_types().end()},
      .terminal_types = {definition.terminal_types().begin(), definition.terminal_types().end()},
      .deadline_ms = definition.deadline_ms()};
}

void ToProto(const SagaDefinition& definition, proto::SagaDefinition* out) {
  out->set_name(definition.name);
  for (const std::string& type : definition.start_types)
    out->add_start_types(type);
  for (const std::string& type : definition.terminal_types)
    out->add_terminal_types(type);
  out->set_deadline_ms(definition.deadline_ms);
}

Result<EventPage> FindEvents(Connection& connection, const EventQuery& query,
                             std::chrono::milliseconds timeout) {
  if (query.value.empty()) return InvalidArgument("an event query needs a value to look up");
  if (query.limit > kMaxLimit) {
    return InvalidArgument("an event query returns at most " + std::to_string(kMaxLimit) +
                           " events per page, not " + std::to_string(query.limit));
  }
  if (Status s = RequireEventIndex(connection, "searching the event index"); !s.ok()) return s;
  proto::Request request;
  proto::FindEventsRequest* find = request.mutable_find_events();
  find->set_by(ToProto(query.by));
  find->set_value(query.value);
  find->set_since_ms(query.since_ms);
  find->set_topic(query.topic);
  find->set_limit(query.limit);
  find->set_page_token(query.page_token);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kFindEvents, timeout);
  if (!response.ok()) return response.status();
  const proto::FindEventsResponse& answer = response->find_events();
  EventPage page;
  page.events.reserve(static_cast<size_t>(answer.events_size()));
  for (const proto::IndexedEvent& event : answer.events())
    page.events.push_back(FromProto(event));
  page.next_page_token = answer.next_page_token();
  return page;
}

Status DefineSaga(Connection& connection, const SagaDefinition& definition,
                  std::chrono::milliseconds timeout) {
  if (definition.name.empty()) return InvalidArgument("a saga definition needs a name");
  if (definition.terminal_types.empty()) {
    return InvalidArgument("saga definition '" + definition.name +
                           "' needs at least one terminal event type");
  }
  if (definition.deadline_ms <= 0) {
    return InvalidArgument("saga definition '" + definition.name +
                           "' needs a positive deadline, not " +
                           std::to_string(definition.deadline_ms) + " ms");
  }
  if (Status s = RequireEventIndex(connection, "defining a saga"); !s.ok()) return s;
  proto::Request request;
  ToProto(definition, request.mutable_define_saga()->mutable_definition());
  return Roundtrip(connection, std::move(request), proto::Response::kDefineSaga, timeout).status();
}

Status RemoveSagaDefinition(Connection& connection, const std::string& name,
                            std::chrono::milliseconds timeout) {
  if (name.empty()) return InvalidArgument("name the saga definition to remove");
  if (Status s = RequireEventIndex(connection, "removing a saga definition"); !s.ok()) return s;
  proto::Request request;
  proto::DefineSagaRequest* define = request.mutable_define_saga();
  define->mutable_definition()->set_name(name);
  define->set_remove(true);
  return Roundtrip(connection, std::move(request), proto::Response::kDefineSaga, timeout).status();
}

Result<std::vector<SagaDefinition>> ListSagaDefinitions(Connection& connection,
                                                        std::chrono::milliseconds timeout) {
  if (Status s = RequireEventIndex(connection, "listing saga definitions"); !s.ok()) return s;
  proto::Request request;
  request.mutable_list_saga_definitions();
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kListSagaDefinitions, timeout);
  if (!response.ok()) return response.status();
  std::vector<SagaDefinition> out;
  for (const proto::SagaDefinition& definition : response->list_saga_definitions().definitions())
    out.push_back(FromProto(definition));
  return out;
}

Result<StuckSagas> FindStuckSagas(Connection& connection, const std::string& definition,
                                  uint32_t limit, std::chrono::milliseconds timeout) {
  if (limit > kMaxLimit) {
    return InvalidArgument("at most " + std::to_string(kMaxLimit) +
                           " stuck sagas per request, not " + std::to_string(limit));
  }
  if (Status s = RequireEventIndex(connection, "finding stuck sagas"); !s.ok()) return s;
  proto::Request request;
  proto::StuckSagasRequest* stuck = request.mutable_stuck_sagas();
  stuck->set_definition(definition);
  stuck->set_limit(limit);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kStuckSagas, timeout);
  if (!response.ok()) return response.status();
  StuckSagas out;
  for (const proto::StuckSagasResponse::Stuck& s : response->stuck_sagas().sagas()) {
    out.sagas.push_back(StuckSaga{.definition = s.definition(),
                                  .saga_id = s.saga_id(),
                                  .started_ms = s.started_ms(),
                                  .last_event = FromProto(s.last_event()),
                                  .waiting_ms = s.waiting_ms()});
  }
  for (const proto::StuckSagasResponse::Count& c : response->stuck_sagas().counts()) {
    out.counts.push_back(
        SagaCounts{.definition = c.definition(), .open = c.open(), .stuck = c.stuck()});
  }
  return out;
}

}  // namespace choreo::client_internal
