// CheckSchema: the verdicts RegisterSchema would give, registering nothing (CLI `schema check`,
// the saga layer's start-up check). Runs on the blocking pool: parsing is CPU work.
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/schema_wire.h"
#include "broker/run_blocking.h"
#include "broker/schema/schema_registry.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleCheckSchema(RequestContext& ctx, proto::Request& request) {
  const proto::CheckSchemaRequest& req = request.check_schema();
  SchemaRegistry& schemas = ctx.services.schemas;
  absl::StatusOr<std::vector<SchemaVerdict>> verdicts = co_await RunBlocking(
      ctx.services.blocking,
      [&] { return schemas.Check(req.descriptor_set(), TypesOf(req.types())); });
  proto::Response response;
  proto::CheckSchemaResponse* body = response.mutable_check_schema();
  if (!verdicts.ok()) {
    SetError(verdicts.status(), response.mutable_error());
    co_return response;
  }
  for (const SchemaVerdict& v : *verdicts)
    ToWire(v, body->add_verdicts());
  co_return response;
}

}  // namespace choreo::broker
