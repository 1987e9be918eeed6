#include "broker/handlers/dispatch.h"

#include <array>
#include <optional>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"

namespace choreo::broker {
namespace {

struct Route {
  proto::Request::BodyCase body;
  const char* name;
  Handler handler;
};

// The one table of APIs. Adding an API = a handler file + a row here.
constexpr std::array kRoutes = {
    Route{proto::Request::kHandshake, "handshake", &HandleHandshake},
    Route{proto::Request::kCreateTopics, "create_topics", &HandleCreateTopics},
    Route{proto::Request::kDeleteTopics, "delete_topics", &HandleDeleteTopics},
    Route{proto::Request::kMetadata, "metadata", &HandleMetadata},
    Route{proto::Request::kProduce, "produce", &HandleProduce},
    Route{proto::Request::kFetch, "fetch", &HandleFetch},
    Route{proto::Request::kListOffsets, "list_offsets", &HandleListOffsets},
    Route{proto::Request::kInitProducer, "init_producer", &HandleInitProducer},
    Route{proto::Request::kAlterTopic, "alter_topic", &HandleAlterTopic},
    Route{proto::Request::kGroupHeartbeat, "group_heartbeat", &HandleGroupHeartbeat},
    Route{proto::Request::kOffsetCommit, "offset_commit", &HandleOffsetCommit},
    Route{proto::Request::kOffsetFetch, "offset_fetch", &HandleOffsetFetch},
    Route{proto::Request::kListGroups, "list_groups", &HandleListGroups},
    Route{proto::Request::kDescribeGroups, "describe_groups", &HandleDescribeGroups},
    Route{proto::Request::kDeleteGroups, "delete_groups", &HandleDeleteGroups},
    Route{proto::Request::kStepCommit, "step_commit", &HandleStepCommit},
    Route{proto::Request::kFindEvents, "find_events", &HandleFindEvents},
    Route{proto::Request::kDefineSaga, "define_saga", &HandleDefineSaga},
    Route{proto::Request::kListSagaDefinitions, "list_saga_definitions",
          &HandleListSagaDefinitions},
    Route{proto::Request::kStuckSagas, "stuck_sagas", &HandleStuckSagas},
    Route{proto::Request::kRegisterSchema, "register_schema", &HandleRegisterSchema},
    Route{proto::Request::kListSchemas, "list_schemas", &HandleListSchemas},
    Route{proto::Request::kGetSchema, "get_schema", &HandleGetSchema},
    Route{proto::Request::kCheckSchema, "check_schema", &HandleCheckSchema},
    Route{proto::Request::kScheduleEvent, "schedule_event", &HandleScheduleEvent},
    Route{proto::Request::kCancelScheduledEvent, "cancel_scheduled_event",
          &HandleCancelScheduledEvent},
    Route{proto::Request::kUpsertUser, "upsert_user", &HandleUpsertUser},
    Route{proto::Request::kDeleteUser, "delete_user", &HandleDeleteUser},
    Route{proto::Request::kListUsers, "list_users", &HandleListUsers},
    Route{proto::Request::kCreateAcls, "create_acls", &HandleCreateAcls},
    Route{proto::Request::kDeleteAcls, "delete_acls", &HandleDeleteAcls},
    Route{proto::Request::kListAcls, "list_acls", &HandleListAcls},
    // sasl_authenticate is answered inline by the session's protocol (handlers/authentication.h).
};

const Route* FindRoute(proto::Request::BodyCase body) {
  for (const Route& route : kRoutes)
    if (route.body == body) return &route;
  return nullptr;
}

}  // namespace

const char* RequestName(proto::Request::BodyCase body) {
  const Route* route = FindRoute(body);
  return route != nullptr ? route->name : "unknown";
}

asio::awaitable<proto::Response> Dispatch(RequestContext& ctx, proto::Request& request) {
  const Route* route = FindRoute(request.body_case());
  proto::Response response;
  if (route == nullptr) {
    response = ErrorResponse(request.correlation_id(), proto::INVALID_REQUEST,
                             "request has no body this broker understands");
  } else if (std::optional<proto::Response> denied = AuthorizeRequest(ctx, request)) {
    response = *std::move(denied);
  } else {
    response = co_await route->handler(ctx, request);
    FilterResponse(ctx, request, &response);
  }
  response.set_correlation_id(request.correlation_id());
  co_return response;
}

}  // namespace choreo::broker
