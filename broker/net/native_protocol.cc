#include "broker/net/native_protocol.h"

#include <chrono>
#include <exception>
#include <utility>

#include "broker/handlers/authentication.h"
#include "broker/handlers/dispatch.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/security/security.h"
#include "choreo/proto/frame.h"

namespace choreo::broker {
namespace {

std::string Framed(const proto::Response& response) {
  std::string frame;
  if (!proto::AppendFrame(response, &frame)) frame.clear();
  return frame;
}

FrameVerdict Refuse(std::string frame, std::string_view reason) {
  FrameVerdict verdict;
  verdict.refuse = true;
  verdict.frame = std::move(frame);
  verdict.reason = std::string(reason);
  return verdict;
}

// A response computed inline, sent as the request's answer.
asio::awaitable<std::string> Answered(std::string frame) {
  co_return frame;
}

}  // namespace

void NativeProtocol::TransportReady(ConnectionState& connection) {
  connection_ = &connection;
  AuthenticateTransport(services_.security, connection);
}

std::string NativeProtocol::ErrorFrame(proto::ErrorCode code, std::string_view message) const {
  return Framed(ErrorResponse(0, code, message));
}

FrameVerdict NativeProtocol::Decode(std::string_view frame) {
  auto request = std::make_shared<proto::Request>();
  if (!request->ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    services_.metrics.ProtocolViolation(ProtocolError::kUnparsable);
    constexpr std::string_view kUnparsable = "frame does not parse as a Request";
    return Refuse(ErrorFrame(proto::INVALID_REQUEST, kUnparsable), kUnparsable);
  }
  if (!handshaken_) {
    if (request->body_case() != proto::Request::kHandshake) {
      services_.metrics.ProtocolViolation(ProtocolError::kHandshakeRequired);
      constexpr std::string_view kRequired =
          "the first request on a connection must be a handshake";
      return Refuse(
          Framed(ErrorResponse(request->correlation_id(), proto::HANDSHAKE_REQUIRED, kRequired)),
          kRequired);
    }
    // Checked inline (not in the handler coroutine) so the next pipelined request already knows
    // whether the handshake succeeded.
    proto::Response response = HandshakeResponseFor(services_.options, request->handshake());
    if (response.error().code() != proto::NONE) {
      services_.metrics.ProtocolViolation(ProtocolError::kUnsupportedVersion);
      response.set_correlation_id(request->correlation_id());
      return Refuse(Framed(response), response.error().message());
    }
    handshaken_ = true;
  }
  FrameVerdict verdict;
  if (connection_ == nullptr && services_.security.enabled()) {
    constexpr std::string_view kNoTransport = "authentication failed: the connection is not ready";
    return Refuse(ErrorFrame(proto::AUTHENTICATION_FAILED, kNoTransport), kNoTransport);
  }
  if (connection_ != nullptr && NeedsAuthentication(*connection_, *request)) {
    AuthenticationStep step = HandleAuthentication(services_, *connection_, *request);
    if (step.close) return Refuse(Framed(step.response), step.reason);
    verdict.call.run = [frame = Framed(step.response)](RequestContext&) { return Answered(frame); };
    return verdict;
  }
  // Step commits carry batches as well, and hold them until written, like produces.
  verdict.call.produce = request->body_case() == proto::Request::kProduce ||
                         request->body_case() == proto::Request::kStepCommit;
  verdict.call.run = [this, request = std::move(request)](RequestContext& ctx) {
    return Serve(ctx, request);
  };
  return verdict;
}

asio::awaitable<std::string> NativeProtocol::Serve(RequestContext& ctx,
                                                   std::shared_ptr<proto::Request> request) {
  const auto start = std::chrono::steady_clock::now();
  const proto::Request::BodyCase body = request->body_case();
  proto::Response response;
  try {
    response = co_await Dispatch(ctx, *request);
  } catch (const std::exception& e) {
    // A handler bug or resource failure; the client still gets an answer.
    HandlerLog().error("conn={} event=error api={} error=\"{}\"", connection_id_, RequestName(body),
                       e.what());
    response = ErrorResponse(request->correlation_id(), proto::UNKNOWN, "internal broker error");
  } catch (...) {
    HandlerLog().error("conn={} event=error api={} error=\"non-standard exception\"",
                       connection_id_, RequestName(body));
    response = ErrorResponse(request->correlation_id(), proto::UNKNOWN, "internal broker error");
  }
  services_.metrics.RequestDone(
      static_cast<int>(body),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
      static_cast<int>(response.error().code()));
  std::string frame = Framed(response);
  if (frame.empty()) {
    NetLog().error("conn={} event=error error=\"response {} too large to frame\"", connection_id_,
                   response.correlation_id());
  }
  co_return frame;
}

}  // namespace choreo::broker
