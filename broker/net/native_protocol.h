// NativeProtocol: choreo's own protocol (proto/choreo.proto) for a Session: a frame is one
// serialized proto::Request; the first must be a handshake of a supported major version (checked
// inline, so the next pipelined request already knows the outcome); each request runs through the
// dispatch table (handlers/dispatch.cc); responses carry correlation ids and may leave out of
// order. Authentication (handlers/authentication.h) is checked inline too: SaslAuthenticate steps
// are answered as they are decoded, and any other request before authentication is refused and
// the connection closed.
//
// Lifecycle and threading: as SessionProtocol (one per connection, on its strand). `services` is
// borrowed and outlives it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/net/session_protocol.h"

namespace choreo::broker {

class NativeProtocol : public SessionProtocol {
 public:
  NativeProtocol(BrokerServices& services, uint64_t connection_id)
      : services_(services), connection_id_(connection_id) {}

  const char* name() const override { return "choreo"; }
  bool ordered_responses() const override { return false; }
  bool handshaken() const override { return handshaken_; }
  void TransportReady(ConnectionState& connection) override;
  FrameVerdict Decode(std::string_view frame) override;
  std::string ErrorFrame(proto::ErrorCode code, std::string_view message) const override;

 private:
  asio::awaitable<std::string> Serve(RequestContext& ctx, std::shared_ptr<proto::Request> request);

  BrokerServices& services_;
  const uint64_t connection_id_;
  bool handshaken_ = false;
  ConnectionState* connection_ = nullptr;  // the session's; set by TransportReady()
};

}  // namespace choreo::broker
