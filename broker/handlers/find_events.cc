// FindEvents: one page of the event index (by saga id, event id, type or record key), answered
// from the index alone.
#include "broker/handlers/event_index_wire.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

std::optional<storage::EventIndexKind> KindOf(proto::EventIndexKind by) {
  switch (by) {
    case proto::BY_SAGA:
      return storage::EventIndexKind::kSaga;
    case proto::BY_EVENT_ID:
      return storage::EventIndexKind::kEventId;
    case proto::BY_TYPE:
      return storage::EventIndexKind::kType;
    case proto::BY_KEY:
      return storage::EventIndexKind::kKey;
    default:
      return std::nullopt;
  }
}

}  // namespace

asio::awaitable<proto::Response> HandleFindEvents(RequestContext& ctx, proto::Request& request) {
  const proto::FindEventsRequest& find = request.find_events();
  proto::Response response;
  std::optional<storage::EventIndexKind> kind = KindOf(find.by());
  if (!kind) {
    response.mutable_error()->set_code(proto::INVALID_REQUEST);
    response.mutable_error()->set_message(
        "find events: `by` must be BY_SAGA, BY_EVENT_ID, BY_TYPE or BY_KEY");
    co_return response;
  }
  storage::EventQuery query{.by = *kind,
                            .value = find.value(),
                            .since_ms = find.since_ms(),
                            .topic = find.topic(),
                            .limit = QueryLimit(find.limit()),
                            .page_token = find.page_token()};
  BrokerServices& services = ctx.services;
  absl::StatusOr<storage::EventPage> page =
      co_await RunBlocking(services.blocking, [&] { return services.store.FindEvents(query); });
  if (!page.ok()) {
    SetIndexError(page.status(), response.mutable_error());
    co_return response;
  }
  proto::FindEventsResponse* body = response.mutable_find_events();
  for (const storage::IndexedEvent& event : page->events)
    ToWire(event, body->add_events());
  body->set_next_page_token(page->next_page_token);
  co_return response;
}

}  // namespace choreo::broker
