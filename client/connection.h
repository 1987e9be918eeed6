// Connection: one TCP connection to a broker, carrying pipelined requests. Internal to the client
// library; Admin, Producer and Consumer each own one.
//
// Lifecycle: Open() resolves and connects (bounded by ClientOptions::connect_timeout), then sends
// the handshake and reads the broker's limits. The connection is then usable until Close(), the
// destructor, or the loss of the TCP connection. It is never re-established: a caller that wants to
// continue after a loss opens a new Connection.
//
// Threading: Send() may be called from any thread. Each connection runs its own I/O thread;
// response callbacks run on it and must neither block nor throw. Call() and Close() must not be
// called from a callback (they wait for the I/O thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/protocol_version.h"

namespace choreo::client_internal {

// The protocol version this client speaks, defined once for the broker too (protocol_version.h).
// The broker accepts any minor; requests of a newer minor are only sent to a broker that announced
// it (RequireProtocolMinor, requests.h).
using proto::kProtocolMajor;
using proto::kProtocolMinor;

// What the broker announced in its handshake response. A limit of 0 means "not announced".
struct BrokerInfo {
  uint32_t protocol_major = 0;
  uint32_t protocol_minor = 0;
  std::string broker_version;
  uint64_t max_frame_bytes = 0;
  uint64_t max_batch_bytes = 0;
  uint32_t max_in_flight = 0;
};

// Checks what Open() would refuse without trying to connect: the address syntax and the limits.
// Errors: kInvalidArgument.
Status ValidateClientOptions(const ClientOptions& options);

// Whether a failed Open() means "the broker is not reachable now" (so a client being created
// keeps trying in the background) rather than a configuration or version error.
bool IsUnreachable(const Status& open_error);

// Receives the outcome of one request, exactly once.
using ResponseCallback = std::function<void(Result<proto::Response>)>;

class Connection {
 public:
  // Connects to options.broker and handshakes. Errors: kInvalidArgument (bad address),
  // kConnectionFailed, kTimeout (connect_timeout elapsed), kUnsupportedVersion, or the broker's
  // handshake error.
  static Result<std::unique_ptr<Connection>> Open(const ClientOptions& options);

  // A stand-in for a connection not made yet: IsOpen() is false and every request fails at once
  // with kConnectionFailed and `why`'s message. Producer, Consumer and Admin hold one while the
  // broker cannot be reached.
  static std::unique_ptr<Connection> NotConnected(Status why);

  // Closes the connection (see Close()).
  virtual ~Connection() = default;

  // Sends `request` (its correlation_id is assigned here) and reports the matching response, or an
  // error, to `callback` exactly once:
  //  - kTimeout if no response arrives within `timeout` (a late response is then dropped);
  //  - kConnectionFailed for every request pending when the connection is lost, and for every
  //    request sent after that;
  //  - kClosed for requests pending at Close() or sent after it;
  //  - kMessageTooLarge if the request frame exceeds the frame limit (min of
  //    ClientOptions::max_frame_bytes and the broker's); nothing is sent then;
  //  - kProtocolError for all pending requests if the broker sends an undecodable or oversized
  //  frame
  //    (the connection is closed).
  // The response may carry a broker error; see CheckResponse() in wire_status.h. If the broker
  // announced max_in_flight, requests beyond it wait locally (their timeout running) for a slot.
  // The callback runs on the I/O thread, or inline on the calling thread when the connection is
  // already closed or the request is too large.
  virtual void Send(proto::Request request, std::chrono::milliseconds timeout,
                    ResponseCallback callback) = 0;

  // Send() with the outcome delivered through a future.
  std::future<Result<proto::Response>> Send(proto::Request request,
                                            std::chrono::milliseconds timeout);

  // Send() and wait for the outcome. Not to be called from a response callback.
  Result<proto::Response> Call(proto::Request request, std::chrono::milliseconds timeout);

  // Fails every pending request with kClosed, closes the socket and joins the I/O thread.
  // Idempotent and thread-safe.
  virtual void Close() = 0;

  // False once the connection is closed or lost.
  virtual bool IsOpen() const = 0;

  // The broker's handshake answer.
  virtual const BrokerInfo& broker() const = 0;
};

}  // namespace choreo::client_internal
