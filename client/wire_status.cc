#include "client/wire_status.h"

#include <string>

namespace choreo::client_internal {

// The numbering is shared by design; spot-check it at compile time so that a renumbering on either
// side breaks the build instead of silently mis-reporting errors.
static_assert(static_cast<int>(ErrorCode::kUnknownTopic) == proto::UNKNOWN_TOPIC);
static_assert(static_cast<int>(ErrorCode::kOffsetOutOfRange) == proto::OFFSET_OUT_OF_RANGE);
static_assert(static_cast<int>(ErrorCode::kShuttingDown) == proto::SHUTTING_DOWN);
static_assert(static_cast<int>(ErrorCode::kUnknownSchema) == proto::UNKNOWN_SCHEMA);
static_assert(static_cast<int>(ErrorCode::kInvalidTimestamp) == proto::INVALID_TIMESTAMP);
static_assert(static_cast<int>(ErrorCode::kAuthorizationFailed) == proto::AUTHORIZATION_FAILED);
static_assert(proto::ErrorCode_MAX == proto::AUTHORIZATION_FAILED,
              "a wire error code was added: add it to choreo::ErrorCode and ErrorCodeName");

ErrorCode FromProtoCode(proto::ErrorCode code) {
  const int n = static_cast<int>(code);
  if (n < 0 || n > static_cast<int>(ErrorCode::kAuthorizationFailed)) return ErrorCode::kUnknown;
  return static_cast<ErrorCode>(n);
}

Status FromProtoError(const proto::Error& error) {
  if (error.code() == proto::NONE) return OkStatus();
  std::string message = error.message();
  const ErrorCode code = FromProtoCode(error.code());
  if (code == ErrorCode::kUnknown && error.code() != proto::UNKNOWN) {
    message = "broker error code " + std::to_string(error.code()) + ": " + message;
  }
  return Status(code, std::move(message));
}

Result<proto::Response> CheckResponse(Result<proto::Response> result,
                                      proto::Response::BodyCase expected) {
  if (!result.ok()) return result;
  Status status = FromProtoError(result->error());
  if (!status.ok()) return status;
  if (result->body_case() != expected) {
    return Status(ErrorCode::kProtocolError, "broker answered with response body " +
                                                 std::to_string(result->body_case()) +
                                                 ", expected " + std::to_string(expected));
  }
  return result;
}

}  // namespace choreo::client_internal
