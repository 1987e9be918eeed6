// ConnectionStream: a connection's byte stream, either a plain TCP socket or TLS over one, behind
// one type so that the session and HTTP code is written once (no template over the stream type).
// It is an Asio AsyncReadStream/AsyncWriteStream: asio::async_write, async_read_until and the
// rest work on it. With TLS, the server side of the handshake must complete (AsyncHandshake)
// before anything is read or written.
//
// Ownership: owns the socket; with TLS also shares the SSL context the stream was made from, so a
// reload (TlsContexts::Reload) never frees a context that a live connection still uses.
// Threading: like the socket it wraps (one strand).
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <memory>
#include <utility>
#include <variant>

namespace choreo::broker {

class ConnectionStream {
 public:
  using Socket = asio::ip::tcp::socket;
  using TlsStream = asio::ssl::stream<Socket>;
  using executor_type = Socket::executor_type;

  // Plain TCP.
  explicit ConnectionStream(Socket socket)
      : stream_(std::in_place_type<Socket>, std::move(socket)) {}
  // TLS (server side) with `context`, which must not be null.
  ConnectionStream(Socket socket, std::shared_ptr<asio::ssl::context> context)
      : context_(std::move(context)),
        stream_(std::in_place_type<TlsStream>, std::move(socket), *context_) {}

  bool tls() const { return std::holds_alternative<TlsStream>(stream_); }
  // The TCP socket (under TLS, the layer below it): options, shutdown, close, the peer address.
  Socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<Socket>(stream_);
  }
  executor_type get_executor() { return socket().get_executor(); }
  // The TLS session (null for plain TCP): for the peer certificate, the negotiated version.
  SSL* native_tls_handle() {
    auto* tls = std::get_if<TlsStream>(&stream_);
    return tls ? tls->native_handle() : nullptr;
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return std::visit(
        [&](auto& stream) { return stream.async_read_some(buffers, std::forward<Token>(token)); },
        stream_);
  }
  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return std::visit(
        [&](auto& stream) { return stream.async_write_some(buffers, std::forward<Token>(token)); },
        stream_);
  }
  // TLS only (the caller checks tls()): the server side of the handshake.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return std::get<TlsStream>(stream_).async_handshake(TlsStream::server,
                                                        std::forward<Token>(token));
  }
  // TLS only: sends close_notify and waits for the peer's (or for the peer to close).
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return std::get<TlsStream>(stream_).async_shutdown(std::forward<Token>(token));
  }

 private:
  std::shared_ptr<asio::ssl::context> context_;  // null for plain TCP
  std::variant<Socket, TlsStream> stream_;
};

}  // namespace choreo::broker
