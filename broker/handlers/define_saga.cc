// DefineSaga: creates, replaces or removes a saga definition (which sagas are open, and when one
// is stuck). Durable before the answer.
#include "broker/handlers/event_index_wire.h"
#include "broker/handlers/handlers.h"
#include "broker/logging.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleDefineSaga(RequestContext& ctx, proto::Request& request) {
  const proto::DefineSagaRequest& define = request.define_saga();
  BrokerServices& services = ctx.services;
  absl::Status status = co_await RunBlocking(services.blocking, [&] {
    if (define.remove()) return services.store.RemoveSagaDefinition(define.definition().name());
    return services.store.DefineSaga(FromWire(define.definition()));
  });
  proto::Response response;
  response.mutable_define_saga();
  if (!status.ok()) {
    SetIndexError(status, response.mutable_error());
    co_return response;
  }
  BrokerLog().info("event=saga_{} definition={}", define.remove() ? "undefined" : "defined",
                   define.definition().name());
  co_return response;
}

}  // namespace choreo::broker
