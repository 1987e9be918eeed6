#include "choreo/client/status.h"

#include <cstdio>
#include <cstdlib>

namespace choreo {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kUnknown:
      return "UNKNOWN";
    case ErrorCode::kInvalidRequest:
      return "INVALID_REQUEST";
    case ErrorCode::kUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case ErrorCode::kHandshakeRequired:
      return "HANDSHAKE_REQUIRED";
    case ErrorCode::kUnknownTopic:
      return "UNKNOWN_TOPIC";
    case ErrorCode::kInvalidPartition:
      return "INVALID_PARTITION";
    case ErrorCode::kTopicAlreadyExists:
      return "TOPIC_ALREADY_EXISTS";
    case ErrorCode::kInvalidTopic:
      return "INVALID_TOPIC";
    case ErrorCode::kOffsetOutOfRange:
      return "OFFSET_OUT_OF_RANGE";
    case ErrorCode::kMessageTooLarge:
      return "MESSAGE_TOO_LARGE";
    case ErrorCode::kCorruptMessage:
      return "CORRUPT_MESSAGE";
    case ErrorCode::kDuplicateSequence:
      return "DUPLICATE_SEQUENCE";
    case ErrorCode::kOutOfOrderSequence:
      return "OUT_OF_ORDER_SEQUENCE";
    case ErrorCode::kProducerFenced:
      return "PRODUCER_FENCED";
    case ErrorCode::kUnknownProducerId:
      return "UNKNOWN_PRODUCER_ID";
    case ErrorCode::kIllegalGeneration:
      return "ILLEGAL_GENERATION";
    case ErrorCode::kUnknownMemberId:
      return "UNKNOWN_MEMBER_ID";
    case ErrorCode::kRebalanceInProgress:
      return "REBALANCE_IN_PROGRESS";
    case ErrorCode::kGroupNotEmpty:
      return "GROUP_NOT_EMPTY";
    case ErrorCode::kUnknownGroup:
      return "UNKNOWN_GROUP";
    case ErrorCode::kStorageError:
      return "STORAGE_ERROR";
    case ErrorCode::kNotEnoughSpace:
      return "NOT_ENOUGH_SPACE";
    case ErrorCode::kTimeout:
      return "TIMEOUT";
    case ErrorCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case ErrorCode::kShuttingDown:
      return "SHUTTING_DOWN";
    case ErrorCode::kIncompatibleSchema:
      return "INCOMPATIBLE_SCHEMA";
    case ErrorCode::kUnknownSchema:
      return "UNKNOWN_SCHEMA";
    case ErrorCode::kInvalidTimestamp:
      return "INVALID_TIMESTAMP";
    case ErrorCode::kAuthenticationFailed:
      return "AUTHENTICATION_FAILED";
    case ErrorCode::kAuthorizationFailed:
      return "AUTHORIZATION_FAILED";
    case ErrorCode::kConnectionFailed:
      return "CONNECTION_FAILED";
    case ErrorCode::kClosed:
      return "CLOSED";
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kProtocolError:
      return "PROTOCOL_ERROR";
    case ErrorCode::kWakeup:
      return "WAKEUP";
    case ErrorCode::kMaxPollIntervalExceeded:
      return "MAX_POLL_INTERVAL_EXCEEDED";
    case ErrorCode::kTlsError:
      return "TLS_ERROR";
  }
  return "UNRECOGNIZED_ERROR_CODE";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = ErrorCodeName(code_);
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

bool Status::IsRetriable() const {
  switch (code_) {
    // Transient conditions of the connection or the broker: the same request may succeed later.
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kTimeout:
    case ErrorCode::kShuttingDown:
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kStorageError:
    // A full disk: the broker refuses writes until space comes back, then takes them again by
    // itself (nothing of the refused batch was stored, so resending is safe).
    case ErrorCode::kNotEnoughSpace:
    case ErrorCode::kRebalanceInProgress:
      return true;
    default:
      return false;
  }
}

namespace internal {

void DieOfResultWithoutValue(const Status& status) {
  std::fprintf(stderr, "choreo: Result accessed without a value: %s\n", status.ToString().c_str());
  std::abort();
}

}  // namespace internal

}  // namespace choreo
