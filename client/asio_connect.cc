// Connection::Open and the connect/handshake half of AsioConnection.

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <utility>

#include "client/asio_connection.h"
#include "client/authentication.h"
#include "client/wire_status.h"

namespace choreo::client_internal {

namespace {

std::string OpenSslErrors(const asio::error_code& ec) {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? ec.message() : out;
}

Status TlsFileError(const std::string& what, const std::string& path, const asio::error_code& ec) {
  return Status(ErrorCode::kInvalidArgument,
                "cannot use TLS " + what + " " + path + ": " + OpenSslErrors(ec));
}

// A client context from the files of `tls`, read now (so a renewed certificate is picked up at the
// next connection). Errors: kInvalidArgument naming the file.
Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& tls) {
  ERR_clear_error();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds |
                       asio::ssl::context::no_compression);
  asio::error_code ec;
  if (tls.ca_file.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) return TlsFileError("default CA paths", "", ec);
  } else {
    context->load_verify_file(tls.ca_file, ec);
    if (ec) return TlsFileError("CA file", tls.ca_file, ec);
  }
  if (!tls.cert_file.empty()) {
    context->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) return TlsFileError("certificate", tls.cert_file, ec);
    context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
    if (ec) return TlsFileError("key", tls.key_file, ec);
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      ERR_clear_error();
      return Status(ErrorCode::kInvalidArgument,
                    "TLS key " + tls.key_file + " does not match certificate " + tls.cert_file);
    }
  }
  context->set_verify_mode(asio::ssl::verify_peer);
  return context;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const ClientOptions& options) {
  if (Status valid = ValidateClientOptions(options); !valid.ok()) return valid;
  Result<BrokerAddress> address = ParseBrokerAddress(options.broker);
  if (!address.ok()) return address.status();
  std::shared_ptr<asio::ssl::context> tls;
  if (options.tls.enabled) {
    Result<std::shared_ptr<asio::ssl::context>> context = MakeTlsContext(options.tls);
    if (!context.ok()) return context.status();
    tls = *std::move(context);
  }
  const auto deadline = AsioConnection::Clock::now() + options.connect_timeout;
  auto connection = std::make_unique<AsioConnection>(options, std::move(tls));
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
    socket_.socket().close(ignored);
  });

  asio::error_code ec;
  auto endpoints = co_await resolver.async_resolve(address.host, std::to_string(address.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !watch->timed_out) {
    co_await asio::async_connect(socket_.socket(), endpoints,
                                 asio::redirect_error(asio::use_awaitable, ec));
  }
  Status tls = OkStatus();
  if (!ec && !watch->timed_out && socket_.tls()) tls = co_await TlsHandshake(address);
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
  if (!tls.ok()) co_return tls;
  socket_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  asio::co_spawn(io_, ReadLoop(), [this](std::exception_ptr e) { OnLoopExit(e); });
  asio::co_spawn(io_, WriteLoop(), [this](std::exception_ptr e) { OnLoopExit(e); });
  co_return OkStatus();
}

asio::awaitable<Status> AsioConnection::TlsHandshake(const BrokerAddress& address) {
  SSL* ssl = socket_.tls_stream().native_handle();
  // OpenSSL checks the name (or IP address) during verification, so a mismatch is reported as a
  // verification error that names it.
  asio::error_code not_ip;
  (void)asio::ip::make_address(address.host, not_ip);
  if (not_ip) {
    SSL_set_tlsext_host_name(ssl, address.host.c_str());
    SSL_set1_host(ssl, address.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address.host.c_str());
  }
  asio::error_code ec;
  co_await socket_.tls_stream().async_handshake(asio::ssl::stream_base::client,
                                                asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_return OkStatus();
  std::string reason = ec.message();
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    reason = std::string("the broker's certificate was not accepted: ") +
             X509_verify_cert_error_string(verify);
  } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
             reason.find("wrong version number") != std::string::npos ||
             reason.find("packet length too long") != std::string::npos) {
    reason += " (does the broker listen with TLS? choreod --tls-cert/--tls-key)";
  }
  co_return Status(ErrorCode::kTlsError,
                   "TLS handshake with " + ToString(address) + " failed: " + reason);
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
  const Status authenticated =
      Authenticate(options_.sasl, answer, socket_.tls(), [&](proto::Request step) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        return CheckResponse(Call(std::move(step), std::max(left, milliseconds(1))),
                             proto::Response::kSaslAuthenticate);
      });
  if (!authenticated.ok()) return authenticated;
  // Posted, not assigned: max_in_flight_ belongs to the I/O thread. Every later Send() posts after
  // this, so it applies to all requests but the handshake.
  asio::post(io_, [this, limit = answer.max_in_flight()] {
    max_in_flight_ = limit;
    PumpWaiting();
  });
  return OkStatus();
}

}  // namespace choreo::client_internal
