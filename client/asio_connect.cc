// Connection::Open and the connect/handshake half of AsioConnection.

#include <utility>

#include "client/asio_connection.h"
#include "client/wire_status.h"

namespace choreo::client_internal {

Result<std::unique_ptr<Connection>> Connection::Open(const ClientOptions& options) {
  if (Status valid = ValidateClientOptions(options); !valid.ok()) return valid;
  Result<BrokerAddress> address = ParseBrokerAddress(options.broker);
  if (!address.ok()) return address.status();
  const auto deadline = AsioConnection::Clock::now() + options.connect_timeout;
  auto connection = std::make_unique<AsioConnection>(options);
  Status status = connection->Connect(*address, deadline);
  if (status.ok()) status = connection->Handshake(deadline);
  if (!status.ok()) return status;
  return std::unique_ptr<Connection>(std::move(connection));
}

Status AsioConnection::Connect(const BrokerAddress& address, Clock::time_point deadline) {
  std::future<Status> connected =
      asio::co_spawn(io_, ConnectAsync(address, deadline), asio::use_future);
  try {
    return connected.get();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kConnectionFailed,
                  "cannot connect to " + ToString(address) + ": " + e.what());
  }
}

asio::awaitable<Status> AsioConnection::ConnectAsync(BrokerAddress address,
                                                     Clock::time_point deadline) {
  struct Watch {
    bool done = false;
    bool timed_out = false;
  };
  auto watch = std::make_shared<Watch>();
  asio::ip::tcp::resolver resolver(io_);
  asio::steady_timer watchdog(io_, deadline);
  watchdog.async_wait([this, watch, &resolver](const asio::error_code& ec) {
    if (ec || watch->done) return;
    watch->timed_out = true;
    resolver.cancel();
    asio::error_code ignored;
    socket_.close(ignored);
  });

  asio::error_code ec;
  auto endpoints = co_await resolver.async_resolve(address.host, std::to_string(address.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !watch->timed_out) {
    co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  }
  watch->done = true;
  watchdog.cancel();
  if (watch->timed_out) {
    co_return Status(ErrorCode::kTimeout,
                     "connecting to " + ToString(address) + " timed out after " +
                         std::to_string(options_.connect_timeout.count()) + " ms");
  }
  if (ec) {
    co_return Status(ErrorCode::kConnectionFailed,
                     "cannot connect to " + ToString(address) + ": " + ec.message());
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  asio::co_spawn(io_, ReadLoop(), [this](std::exception_ptr e) { OnLoopExit(e); });
  asio::co_spawn(io_, WriteLoop(), [this](std::exception_ptr e) { OnLoopExit(e); });
  co_return OkStatus();
}

Status AsioConnection::Handshake(Clock::time_point deadline) {
  const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  if (remaining.count() <= 0) {
    return Status(ErrorCode::kTimeout, "connect timeout elapsed before the handshake");
  }
  proto::Request request;
  proto::HandshakeRequest* handshake = request.mutable_handshake();
  handshake->set_protocol_major(kProtocolMajor);
  handshake->set_protocol_minor(kProtocolMinor);
  handshake->set_client_id(options_.client_id);
  Result<proto::Response> response =
      CheckResponse(Call(std::move(request), remaining), proto::Response::kHandshake);
  if (!response.ok()) {
    return Status(response.status().code(), "handshake failed: " + response.status().message());
  }
  const proto::HandshakeResponse& answer = response->handshake();
  if (answer.protocol_major() != kProtocolMajor) {
    return Status(ErrorCode::kUnsupportedVersion,
                  "broker speaks protocol " + std::to_string(answer.protocol_major()) + "." +
                      std::to_string(answer.protocol_minor()) + ", this client " +
                      std::to_string(kProtocolMajor) + "." + std::to_string(kProtocolMinor));
  }
  broker_.protocol_major = answer.protocol_major();
  broker_.protocol_minor = answer.protocol_minor();
  broker_.broker_version = answer.broker_version();
  broker_.max_frame_bytes = answer.max_frame_bytes();
  broker_.max_batch_bytes = answer.max_batch_bytes();
  broker_.max_in_flight = answer.max_in_flight();
  if (answer.max_frame_bytes() > 0) send_limit_ = std::min(send_limit_, answer.max_frame_bytes());
  // Posted, not assigned: max_in_flight_ belongs to the I/O thread. Every later Send() posts after
  // this, so it applies to all requests but the handshake.
  asio::post(io_, [this, limit = answer.max_in_flight()] {
    max_in_flight_ = limit;
    PumpWaiting();
  });
  return OkStatus();
}

}  // namespace choreo::client_internal
