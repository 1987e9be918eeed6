// ListSchemas: every registered subject with its latest version (in memory, no I/O).
#include "broker/handlers/handlers.h"
#include "broker/schema/schema_registry.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleListSchemas(RequestContext& ctx,
                                                   proto::Request& /*request*/) {
  proto::Response response;
  proto::ListSchemasResponse* body = response.mutable_list_schemas();
  for (const SchemaSubjectInfo& s : ctx.services.schemas.List()) {
    proto::ListSchemasResponse::Subject* out = body->add_subjects();
    out->set_subject(s.subject);
    out->set_latest_version(s.latest_version);
    out->set_registered_ms(s.registered_ms);
  }
  co_return response;
}

}  // namespace choreo::broker
