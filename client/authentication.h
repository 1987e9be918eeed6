// The client's side of authentication (ClientOptions::sasl): the SaslAuthenticate exchange right
// after the handshake, SCRAM-SHA-256 (RFC 5802/7677, with the broker's signature verified) or
// PLAIN (TLS only). Internal to the client library.
#pragma once

#include <functional>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// Sends one request and returns the checked response (CheckResponse).
using AuthCall = std::function<Result<proto::Response>(proto::Request)>;

// Authenticates as `sasl` asks, given the broker's handshake answer: nothing when the broker asks
// for no SASL exchange. Errors: kAuthenticationFailed (no credentials for a broker that requires
// them, a mechanism the connection may not use, wrong credentials, a broker that does not prove
// it knows the credential), or the call's errors.
Status Authenticate(const SaslOptions& sasl, const proto::HandshakeResponse& answer, bool tls,
                    const AuthCall& call);

}  // namespace choreo::client_internal
