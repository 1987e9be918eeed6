// StuckSagas: the sagas open past their definition's deadline, longest overdue first, and the
// open/stuck counts per definition.
#include <absl/time/clock.h>

#include "broker/handlers/event_index_wire.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleStuckSagas(RequestContext& ctx, proto::Request& request) {
  const proto::StuckSagasRequest& stuck = request.stuck_sagas();
  BrokerServices& services = ctx.services;
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  proto::Response response;
  proto::StuckSagasResponse* body = response.mutable_stuck_sagas();
  absl::Status status = co_await RunBlocking(services.blocking, [&]() -> absl::Status {
    absl::StatusOr<std::vector<storage::OpenSaga>> sagas =
        services.store.ListStuckSagas(stuck.definition(), now_ms, QueryLimit(stuck.limit()));
    if (!sagas.ok()) return sagas.status();
    absl::StatusOr<std::vector<storage::OpenSagaCount>> counts =
        services.store.CountOpenSagas(now_ms);
    if (!counts.ok()) return counts.status();
    for (const storage::OpenSaga& saga : *sagas) {
      proto::StuckSagasResponse::Stuck* out = body->add_sagas();
      out->set_definition(saga.definition);
      out->set_saga_id(saga.saga_id);
      out->set_started_ms(saga.started_ms);
      ToWire(saga.last_event, out->mutable_last_event());
      out->set_waiting_ms(now_ms - saga.last_event.fields.time_ms);
    }
    for (const storage::OpenSagaCount& count : *counts) {
      if (!stuck.definition().empty() && count.definition != stuck.definition()) continue;
      proto::StuckSagasResponse::Count* out = body->add_counts();
      out->set_definition(count.definition);
      out->set_open(count.open);
      out->set_stuck(count.stuck);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    response.clear_stuck_sagas();
    SetIndexError(status, response.mutable_error());
  }
  co_return response;
}

}  // namespace choreo::broker
