// GetSchema: one version of a subject, with its descriptor set and readable definition. Parsing
// the stored set for the definition is CPU work: it runs on the blocking pool.
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"
#include "broker/schema/schema_registry.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleGetSchema(RequestContext& ctx, proto::Request& request) {
  const proto::GetSchemaRequest& req = request.get_schema();
  absl::StatusOr<SchemaVersionInfo> info = co_await RunBlocking(ctx.services.blocking, [&] {
    return ctx.services.schemas.Get(req.subject(), req.version());
  });
  proto::Response response;
  proto::GetSchemaResponse* body = response.mutable_get_schema();
  if (!info.ok()) {
    SetError(info.status(), response.mutable_error());
    co_return response;
  }
  body->set_subject(info->stored.subject);
  body->set_version(info->stored.version);
  body->set_registered_ms(info->stored.registered_ms);
  body->set_descriptor_set(info->stored.schema);
  body->set_definition(info->definition);
  for (uint32_t v : info->versions)
    body->add_versions(v);
  co_return response;
}

}  // namespace choreo::broker
