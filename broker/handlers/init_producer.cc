#include "broker/error_mapping.h"
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"
#include "broker/security/security.h"

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
  // With authentication on, an existing id is only its owner's, and a new one becomes the
  // principal's (recorded before it is answered, so a restart keeps the owner).
  Security& security = ctx.services.security;
  const std::string& principal = ctx.connection.principal();
  std::string message;
  if (proto::ErrorCode code = CheckProducerOwner(security, principal, init.producer_id(), &message);
      code != proto::NONE) {
    SetError(code, message, response.mutable_error());
    co_return response;
  }
  storage::LogStore& store = ctx.services.store;
  absl::StatusOr<storage::ProducerIdentity> identity = co_await RunBlocking(
      ctx.services.blocking, [&]() -> absl::StatusOr<storage::ProducerIdentity> {
        absl::StatusOr<storage::ProducerIdentity> granted =
            store.InitProducer(init.producer_id(), init.producer_epoch(), init.bump_epoch());
        if (granted.ok() && security.enabled() && init.producer_id() < 0) {
          if (absl::Status owned = security.producers().Grant(granted->producer_id, principal);
              !owned.ok()) {
            return owned;
          }
        }
        return granted;
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
