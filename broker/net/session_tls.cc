// The TLS side of a Session: telling a plaintext client off, and the server side of the TLS
// handshake (see session.h, "TLS").
#include <absl/strings/str_cat.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <string>

#include "broker/net/session.h"
#include "broker/net/tls_context.h"

namespace choreo::broker {
namespace {

// The content type of a TLS handshake record: the first byte a TLS client sends.
constexpr unsigned char kTlsHandshakeRecord = 22;

}  // namespace

asio::awaitable<bool> Session::TlsHandshake() {
  asio::error_code ec;
  // A TLS client starts with a handshake record (content type 22); a choreo frame starts with the
  // high byte of a small length. A plaintext client gets a plaintext error it can show.
  std::array<unsigned char, 1> first{};
  co_await stream_.socket().async_receive(
      asio::buffer(first), asio::socket_base::message_peek,
      asio::bind_cancellation_slot(read_cancel_.slot(),
                                   asio::redirect_error(asio::use_awaitable, ec)));
  if (!ec && mode_ == Mode::kOpen && first[0] != kTlsHandshakeRecord) {
    co_await RefusePlaintext();
    co_return false;
  }
  if (!ec) {
    co_await stream_.async_handshake(asio::bind_cancellation_slot(
        read_cancel_.slot(), asio::redirect_error(asio::use_awaitable, ec)));
  }
  co_return FinishTlsHandshake(ec);
}

asio::awaitable<void> Session::RefusePlaintext() {
  if (tls_failures_ != nullptr) {
    tls_failures_->Record(tls_listener_, peer_, "plaintext client");
  }
  BeginClose(Mode::kFailing, "TLS handshake failed: plaintext client");
  // Read what the client sent (its handshake frame), so that closing does not reset the
  // connection and destroy the error before it is read.
  asio::error_code ec;
  std::array<char, 4096> scratch;
  co_await stream_.socket().async_read_some(asio::buffer(scratch),
                                            asio::redirect_error(asio::use_awaitable, ec));
  const std::string frame = protocol_->ErrorFrame(proto::UNSUPPORTED_VERSION,
                                                  "this listener speaks TLS only: connect with TLS "
                                                  "(choreo --tls, ClientOptions::tls)");
  if (!frame.empty()) {
    co_await asio::async_write(stream_.socket(), asio::buffer(frame),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  (void)FinishTlsHandshake(asio::error::operation_aborted);
}

bool Session::FinishTlsHandshake(const asio::error_code& ec) {
  if (!ec && mode_ == Mode::kOpen) {
    tls_ready_ = true;
    watchdog_.cancel();  // re-armed with the protocol handshake's deadline (the same one)
    return true;
  }
  if (mode_ == Mode::kOpen) {
    // Not after a close of our own (the watchdog's timeout, a shutdown): those are accounted there.
    std::string reason = TlsErrorReason(ec);
    // Which check a client certificate failed (expired, unknown CA, ...), when one did.
    if (SSL* ssl = stream_.native_tls_handle()) {
      const long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK)
        absl::StrAppend(&reason, ": ", X509_verify_cert_error_string(verify));
    }
    if (tls_failures_ != nullptr) tls_failures_->Record(tls_listener_, peer_, reason);
    BeginClose(Mode::kFailing, absl::StrCat("TLS handshake failed: ", reason));
  }
  // A plain close (FIN), not a reset: the alert OpenSSL sent should reach the peer.
  if (mode_ != Mode::kAborted) CloseSocket();
  reader_done_ = true;
  writer_done_ = true;
  MaybeFinish();
  return false;
}

}  // namespace choreo::broker
