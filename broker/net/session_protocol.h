// SessionProtocol: what a Session needs to know about the protocol its connection speaks, so that
// one session implementation (reader, writer, watchdog, every limit and metric of session.h) serves
// both choreo's own protocol (NativeProtocol) and Kafka's (kafka/listener/kafka_protocol.h). Both
// frame requests the same way: a 4-byte big-endian size, then the body.
//
// Lifecycle: one instance per connection, owned by its Session. Threading: called only on the
// session's strand.
#pragma once

#include <asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// A request decoded from one frame, ready to run.
struct SessionCall {
  // Charged to the produce memory budget (--max-pending-produce-bytes) until answered.
  bool produce = false;
  // Runs the request on the session's strand and returns its response frame, size prefix
  // included; an empty string sends nothing (a Kafka produce with acks=0). Answers its own
  // failures (a handler that throws gets an internal-error response) and counts the request in
  // the metrics. Called once.
  std::function<asio::awaitable<std::string>(RequestContext&)> run;
};

// What to do with one frame: run it, or answer (optionally) and close the connection.
struct FrameVerdict {
  bool refuse = false;
  SessionCall call;    // !refuse
  std::string frame;   // refuse: sent before closing; may be empty (nothing to send)
  std::string reason;  // refuse: the close reason for the log line
};

class SessionProtocol {
 public:
  virtual ~SessionProtocol() = default;

  // "choreo" or "kafka", for log lines.
  virtual const char* name() const = 0;
  // Whether responses must leave in the order of their requests (Kafka clients match responses to
  // requests by position) rather than as they complete (choreo's correlation ids allow that).
  virtual bool ordered_responses() const = 0;
  // Whether the connection is past its protocol handshake. Before it, handshake_timeout applies
  // and frames over 64 KiB are refused without being read. Kafka has no handshake: always true.
  virtual bool handshaken() const = 0;
  // Called once, before the first Decode(), when the connection's transport is ready (after the
  // TLS handshake, if any): `connection` (the session's, which outlives the protocol) now knows
  // the peer address, whether it is TLS and the client certificate's principal. Protocols that
  // authenticate keep it for Decode().
  virtual void TransportReady(ConnectionState& connection) { (void)connection; }
  // Decodes one frame body (size prefix removed; the view is valid only during the call).
  virtual FrameVerdict Decode(std::string_view frame) = 0;
  // The frame answering a protocol error of the session itself (oversized frame, timeout, over the
  // connection limit, a plaintext client on a TLS listener) before it closes; empty if the protocol
  // has no such frame (Kafka: the connection is just closed).
  virtual std::string ErrorFrame(proto::ErrorCode code, std::string_view message) const = 0;
};

}  // namespace choreo::broker
