// ListSagaDefinitions: every saga definition, by name (in memory, no I/O).
#include "broker/handlers/event_index_wire.h"
#include "broker/handlers/handlers.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleListSagaDefinitions(RequestContext& ctx,
                                                           proto::Request& /*request*/) {
  proto::Response response;
  proto::ListSagaDefinitionsResponse* body = response.mutable_list_saga_definitions();
  for (const storage::SagaDefinition& d : ctx.services.store.ListSagaDefinitions()) {
    ToWire(d, body->add_definitions());
  }
  co_return response;
}

}  // namespace choreo::broker
