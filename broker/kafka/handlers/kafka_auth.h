// Authentication of one Kafka connection (README "Authentication and ACLs"): what may come before
// it, and Kafka's SASL exchange (KIP-43, KIP-152) on the broker's SaslAuthenticator, AuthFailures
// and users (broker/security/), the same as choreo's protocol uses:
//
//   ApiVersions                  any time (clients send it first)
//   SaslHandshake v0/v1          picks the mechanism: SCRAM-SHA-256, or PLAIN on a TLS connection
//                                (else UNSUPPORTED_SASL_MECHANISM with the list, then close)
//   SaslAuthenticate v0-2        after a v1 handshake: one step of the mechanism per request; a
//                                failure answers SASL_AUTHENTICATION_FAILED with a message and
//                                closes; session lifetime 0 (no re-authentication)
//   raw tokens                   after a v0 handshake: each frame is one step's bytes, answered
//                                with the server's bytes framed by a size only; a failure closes
//   anything else                before authentication: counted as a failure (mechanism "none",
//                                or "mtls") and the connection closed without an answer, as Kafka
//                                does
//
// SASL requests out of order (a second handshake, SaslAuthenticate before the handshake or after
// authentication, SASL on a broker without --auth=sasl) answer ILLEGAL_SASL_STATE (or
// UNSUPPORTED_SASL_MECHANISM with an empty list without --auth=sasl) and close. With --auth=mtls
// the certificate's principal authenticates the connection once its TLS handshake is done; with
// authentication off every connection is ANONYMOUS at once.
//
// Everything is decided inline as frames are decoded (like the native handshake), so the next
// pipelined frame already knows the outcome. Lifecycle: one per connection, owned by its
// KafkaProtocol. Threading: the session's strand.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "broker/handlers/request_context.h"
#include "broker/kafka/request.h"
#include "broker/kafka/value.h"

namespace choreo::broker {

class KafkaAuthentication {
 public:
  struct Outcome {
    enum class Kind {
      kPass,    // not an authentication matter: route the request
      kAnswer,  // answer with `body` (or `raw`, for a raw token) and go on
      kClose,   // answer with `body`/`raw` if set, then close the connection for `reason`
    };
    Kind kind = Kind::kPass;
    std::optional<kafka::Struct> body;  // a response body of the request's API and version
    std::optional<std::string> raw;     // a raw SASL token (v0 handshake), without its size
    std::string reason;                 // kClose: for the connection's log line
  };

  explicit KafkaAuthentication(Security& security) : security_(security) {}

  // The transport is ready (after TLS): authenticates by it when it alone decides (see above).
  void TransportReady(ConnectionState& connection);
  // Whether the transport is ready and the connection authenticated.
  bool authenticated() const { return connection_ != nullptr && connection_->authenticated(); }
  // Whether the next frame is a raw SASL token rather than a Kafka request (after a v0 handshake).
  bool expects_raw_token() const { return phase_ == Phase::kRawTokens; }

  // A decoded request, before it is routed.
  Outcome OnRequest(const kafka::DecodedRequest& request);
  // A raw token frame (expects_raw_token()).
  Outcome OnRawToken(std::string_view token);

 private:
  enum class Phase { kStart, kRequests, kRawTokens, kDone };
  struct Step {
    bool ok = false;
    std::string bytes;    // ok: the server's bytes
    std::string message;  // !ok: for the client
    std::string reason;   // !ok: for the log
  };

  Outcome Handshake(const kafka::DecodedRequest& request);
  Outcome Authenticate(const kafka::DecodedRequest& request);
  // One step of the mechanism chosen by the handshake; counts and logs a failure.
  Step RunStep(std::string_view bytes);

  Security& security_;
  ConnectionState* connection_ = nullptr;  // the session's; set by TransportReady()
  Phase phase_ = Phase::kStart;
  std::string mechanism_;  // chosen by the handshake
};

}  // namespace choreo::broker
