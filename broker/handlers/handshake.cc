#include <string>

#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/security/security.h"

#ifndef CHOREO_VERSION
#define CHOREO_VERSION "unknown"
#endif

namespace choreo::broker {

proto::Response HandshakeResponseFor(const BrokerOptions& options,
                                     const proto::HandshakeRequest& request) {
  proto::Response response;
  // The broker's version and limits go out even with an error, so the client can report them.
  proto::HandshakeResponse* body = response.mutable_handshake();
  body->set_protocol_major(kProtocolMajor);
  body->set_protocol_minor(kProtocolMinor);
  body->set_broker_version(CHOREO_VERSION);
  body->set_max_frame_bytes(options.max_frame_bytes);
  body->set_max_batch_bytes(options.max_batch_bytes);
  body->set_max_in_flight(options.max_in_flight);
  body->set_fsync_policy(std::string(storage::FsyncPolicyName(options.store.fsync)));
  // Any minor version is accepted: newer minors only add fields, which proto3 ignores.
  if (request.protocol_major() != kProtocolMajor) {
    SetError(proto::UNSUPPORTED_VERSION,
             "protocol major version " + std::to_string(request.protocol_major()) +
                 " is not supported; this broker speaks " + std::to_string(kProtocolMajor),
             response.mutable_error());
  }
  return response;
}

asio::awaitable<proto::Response> HandleHandshake(RequestContext& ctx, proto::Request& request) {
  proto::Response response = HandshakeResponseFor(ctx.services.options, request.handshake());
  // What the client must do to authenticate (protocol minor 5).
  const Security& security = ctx.services.security;
  proto::HandshakeResponse* body = response.mutable_handshake();
  if (security.mode() == AuthMode::kSasl && !ctx.connection.authenticated()) {
    for (const std::string& mechanism : SaslAuthenticator::Mechanisms(ctx.connection.tls()))
      body->add_sasl_mechanisms(mechanism);
  }
  if (security.mode() == AuthMode::kMtls && ctx.connection.authenticated()) {
    body->set_principal(ctx.connection.principal());
  }
  co_return response;
}

}  // namespace choreo::broker
