// Small helpers for building responses.
#pragma once

#include <cstdint>
#include <string_view>

#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

inline void SetError(proto::ErrorCode code, std::string_view message, proto::Error* error) {
  error->set_code(code);
  error->set_message(message.data(), message.size());
}

// A response with only a request-level error (no body).
inline proto::Response ErrorResponse(uint64_t correlation_id, proto::ErrorCode code,
                                     std::string_view message) {
  proto::Response response;
  response.set_correlation_id(correlation_id);
  SetError(code, message, response.mutable_error());
  return response;
}

}  // namespace choreo::broker
