// The one place where wire-protocol error codes become client Status values.
#pragma once

#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// The client code with the same number as `code`. A code this client does not know (sent by a
// newer broker) maps to kUnknown.
ErrorCode FromProtoCode(proto::ErrorCode code);

// OK for NONE, otherwise the mapped code with the broker's message.
Status FromProtoError(const proto::Error& error);

// Turns a transport result into the response a caller can use: a transport error passes through,
// a request-level broker error becomes that error, and a response whose body is not `expected`
// becomes kProtocolError.
Result<proto::Response> CheckResponse(Result<proto::Response> result,
                                      proto::Response::BodyCase expected);

}  // namespace choreo::client_internal
