// RegisterSchema: registers new versions of event types (schema_registry.h). Parsing and the
// compatibility checks run on the blocking pool with the store write, never on an io thread.
#include <absl/time/clock.h>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/schema_wire.h"
#include "broker/logging.h"
#include "broker/run_blocking.h"
#include "broker/schema/schema_registry.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleRegisterSchema(RequestContext& ctx,
                                                      proto::Request& request) {
  const proto::RegisterSchemaRequest& req = request.register_schema();
  SchemaRegistry& schemas = ctx.services.schemas;
  absl::StatusOr<std::vector<SchemaVerdict>> verdicts =
      co_await RunBlocking(ctx.services.blocking, [&] {
        return schemas.Register(req.descriptor_set(), TypesOf(req.types()),
                                absl::ToUnixMillis(absl::Now()));
      });
  proto::Response response;
  proto::RegisterSchemaResponse* body = response.mutable_register_schema();
  if (!verdicts.ok()) {
    // An incompatible set is refused as a whole: say why for each type.
    if (absl::StatusOr<std::vector<SchemaVerdict>> judged = co_await RunBlocking(
            ctx.services.blocking,
            [&] { return schemas.Check(req.descriptor_set(), TypesOf(req.types())); });
        judged.ok() && SchemaErrorKindOf(verdicts.status()) == SchemaErrorKind::kIncompatible) {
      for (const SchemaVerdict& v : *judged)
        ToWire(v, body->add_verdicts());
    }
    SetError(verdicts.status(), response.mutable_error());
    co_return response;
  }
  for (const SchemaVerdict& v : *verdicts) {
    ToWire(v, body->add_verdicts());
    if (v.registered) {
      BrokerLog().info("event=schema_registered subject={} version={}", v.subject, v.version);
    }
  }
  co_return response;
}

}  // namespace choreo::broker
