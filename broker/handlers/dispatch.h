// The dispatch table: request body -> handler.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// Runs the handler for the request's body, or answers INVALID_REQUEST for a body this broker does
// not know (e.g. a newer client's request type, which arrives as an unset oneof). Sets the
// response's correlation id. Never throws for a bad request.
asio::awaitable<proto::Response> Dispatch(RequestContext& ctx, proto::Request& request);

// The API's name for logs and errors ("produce", "fetch", ...; "unknown" when not registered).
const char* RequestName(proto::Request::BodyCase body);

}  // namespace choreo::broker
