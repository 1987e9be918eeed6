#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

// Grants (or confirms) an idempotent producer's id and epoch. The store persists the id counter
// and epochs, so this does I/O and runs on the blocking pool.
asio::awaitable<proto::Response> HandleInitProducer(RequestContext& ctx, proto::Request& request) {
  const proto::InitProducerRequest& init = request.init_producer();
  proto::Response response;
  if (init.producer_id() < -1 || init.producer_epoch() < 0) {
    SetError(proto::INVALID_REQUEST, "producer_id must be -1 or a granted id, epoch >= 0",
             response.mutable_error());
    co_return response;
  }
  storage::LogStore& store = ctx.services.store;
  absl::StatusOr<storage::ProducerIdentity> identity =
      co_await RunBlocking(ctx.services.blocking, [&] {
        return store.InitProducer(init.producer_id(), init.producer_epoch(), init.bump_epoch());
      });
  if (!identity.ok()) {
    SetError(identity.status(), response.mutable_error());
    co_return response;
  }
  proto::InitProducerResponse* body = response.mutable_init_producer();
  body->set_producer_id(identity->producer_id);
  body->set_producer_epoch(identity->epoch);
  co_return response;
}

}  // namespace choreo::broker
