// Authentication on choreo's protocol (README "Authentication and ACLs"): the SaslAuthenticate
// steps and the refusal of requests before authentication. Both run inline, as the session
// decodes the frame (like the handshake), so the next pipelined request already knows whether the
// connection is authenticated. The Kafka listener drives the same SaslAuthenticator and
// AuthFailures (broker/security/) from its own requests.
#pragma once

#include <string>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

struct AuthenticationStep {
  proto::Response response;  // correlation id set
  bool close = false;        // answer, then close the connection
  std::string reason;        // close: for the connection's log line
};

// Sets the connection's principal when the transport alone decides it: kAnonymousPrincipal with
// authentication off, the certificate's principal with --auth=mtls.
void AuthenticateTransport(Security& security, ConnectionState& connection);

// Whether `request` must be handled by HandleAuthentication() instead of the dispatch table: a
// SaslAuthenticate step, or any request but the handshake before authentication.
bool NeedsAuthentication(const ConnectionState& connection, const proto::Request& request);

AuthenticationStep HandleAuthentication(BrokerServices& services, ConnectionState& connection,
                                        const proto::Request& request);

}  // namespace choreo::broker
