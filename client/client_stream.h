// ClientStream: the connection's byte stream, a plain TCP socket or TLS over one, behind one type
// so that AsioConnection's reader and writer are written once. An Asio AsyncReadStream and
// AsyncWriteStream. Private to the client library (included by asio_connection.h only).
//
// Ownership: owns the socket and, with TLS, shares the SSL context the stream was made from.
// Threading: like the socket (the connection's I/O thread).
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <memory>
#include <utility>
#include <variant>

namespace choreo::client_internal {

class ClientStream {
 public:
  using Socket = asio::ip::tcp::socket;
  using TlsStream = asio::ssl::stream<Socket>;
  using executor_type = Socket::executor_type;

  // Plain TCP when `tls` is null, else TLS (client side) with that context.
  ClientStream(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls)
      : context_(std::move(tls)), stream_(Make(io, context_.get())) {}

  bool tls() const { return std::holds_alternative<TlsStream>(stream_); }
  // The TCP socket (under TLS, the layer below it): connect, options, close.
  Socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<Socket>(stream_);
  }
  // TLS only (the caller checks tls()).
  TlsStream& tls_stream() { return std::get<TlsStream>(stream_); }
  executor_type get_executor() { return socket().get_executor(); }

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

 private:
  static std::variant<Socket, TlsStream> Make(asio::io_context& io, asio::ssl::context* context) {
    if (context == nullptr) return std::variant<Socket, TlsStream>(std::in_place_type<Socket>, io);
    return std::variant<Socket, TlsStream>(std::in_place_type<TlsStream>, io, *context);
  }

  std::shared_ptr<asio::ssl::context> context_;  // null for plain TCP
  std::variant<Socket, TlsStream> stream_;
};

}  // namespace choreo::client_internal
