// Status and Result<T>: how every client call reports success or failure. The client library has
// no dependency beyond protobuf and Asio (both hidden), so it carries its own small status type
// instead of abseil's.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace choreo {

// Broker error codes (same numbers as the wire protocol's ErrorCode) plus client-side ones >= 100.
enum class ErrorCode : int {
  kOk = 0,
  kUnknown = 1,
  kInvalidRequest = 2,
  kUnsupportedVersion = 3,
  kHandshakeRequired = 4,
  kUnknownTopic = 5,
  kInvalidPartition = 6,
  kTopicAlreadyExists = 7,
  kInvalidTopic = 8,
  kOffsetOutOfRange = 9,
  kMessageTooLarge = 10,
  kCorruptMessage = 11,
  kDuplicateSequence = 12,
  kOutOfOrderSequence = 13,
  kProducerFenced = 14,
  kUnknownProducerId = 15,
  kIllegalGeneration = 16,
  kUnknownMemberId = 17,
  kRebalanceInProgress = 18,
  kGroupNotEmpty = 19,
  kUnknownGroup = 20,
  kStorageError = 21,
  kNotEnoughSpace = 22,
  kTimeout = 23,
  kResourceExhausted = 24,
  kShuttingDown = 25,
  kIncompatibleSchema = 26,  // schema registry: the schema breaks the compatibility rules
  kUnknownSchema = 27,       // no such schema, or a record's type/version is not registered
  kInvalidTimestamp = 28,    // a batch's timestamps are too far ahead of the broker's clock
  // The broker requires authentication and the credentials (ClientOptions::sasl) are missing,
  // wrong or refused (a mechanism the connection may not use). Not retriable.
  kAuthenticationFailed = 29,
  // An ACL of the broker denies this principal the operation. Not retriable.
  kAuthorizationFailed = 30,
  // Client-side.
  kConnectionFailed = 100,  // could not connect, or the connection was lost
  kClosed = 101,            // the client object was closed
  kInvalidArgument = 102,   // the caller passed something unusable
  kProtocolError = 103,     // the broker sent something this client cannot understand
  kWakeup = 104,            // Consumer::Poll() interrupted by Consumer::Wakeup()
  // The consumer left its group because Poll() was not called for max_poll_interval; its
  // partitions went to other members. Reported by the next Poll() (which then rejoins) and by
  // commits made before it.
  kMaxPollIntervalExceeded = 105,
  // The TLS handshake failed: the broker's certificate is not trusted or not for its address,
  // the broker refused this client's certificate (or its lack of one), or one side does not
  // speak TLS. Not retriable: it needs a configuration change.
  kTlsError = 106,
};

// Name of a code, e.g. "UNKNOWN_TOPIC".
const char* ErrorCodeName(ErrorCode code);

// [[nodiscard]], like Result: a dropped Status is a lost error. Where ignoring one is right, say so
// with IgnoreError() and a comment giving the reason.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "UNKNOWN_TOPIC: topic 'orders' does not exist", or "OK".
  std::string ToString() const;

  // True for errors worth retrying after a reconnect or backoff: kConnectionFailed, kTimeout,
  // kShuttingDown, kResourceExhausted, kStorageError, kNotEnoughSpace (the broker's disk is full;
  // it takes writes again once space is freed) and kRebalanceInProgress. The Producer retries
  // these itself; an outcome it reports with one of them is final.
  bool IsRetriable() const;

  // Drops this status on purpose (the caller has a reason, written next to the call).
  void IgnoreError() const {}

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status OkStatus() {
  return Status();
}

namespace internal {
// Prints "Result accessed without a value: <status>" to stderr and aborts.
[[noreturn]] void DieOfResultWithoutValue(const Status& status);
}  // namespace internal

// A value or an error. Check ok() before value(): value(), operator* and operator-> on an error
// abort the process with the status in the message (a bug in the caller, never undefined
// behaviour). A Result built from an OK Status holds kUnknown, since it has no value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(ErrorCode::kUnknown, "Result built from an OK Status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return Checked(); }

 private:
  T& Checked() {
    if (!value_) internal::DieOfResultWithoutValue(status_);
    return *value_;
  }
  const T& Checked() const {
    if (!value_) internal::DieOfResultWithoutValue(status_);
    return *value_;
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace choreo
