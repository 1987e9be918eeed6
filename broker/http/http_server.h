// A deliberately small HTTP/1.1 server for the operator endpoints and the web console: GET, HEAD
// and POST, one request per connection (Connection: close), the request head bounded to 8 KiB, a
// body to 64 KiB (Content-Length only) and the whole exchange to 5 s, at most 64 connections at
// once (more are answered 503 and closed). It is an operator endpoint, not a web framework; a
// malformed request gets 400 and an unknown method 405.
//
// With TLS (ListenerTls), each connection starts with a TLS handshake within the same 5 s; no
// client certificate is asked for (see tls_context.h).
//
// Threading: runs on the io_context it is given; the handler is called on that context's threads
// and must be thread-safe. The handler may block briefly (it runs on the server's own thread, not
// on a network thread of the broker).
#pragma once

#include <absl/status/statusor.h>

#include <asio.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/http/http_request.h"
#include "broker/net/connection_stream.h"
#include "broker/net/tls_context.h"

namespace choreo::broker {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = {};
  // Sent after Content-Type and Content-Length (e.g. Cache-Control).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

// Connections served at once; one more is answered 503 and closed.
inline constexpr size_t kMaxHttpConnections = 64;

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest& request)>;

  // Binds `listen` ("host:port"; port 0 = ephemeral) and starts accepting on `io`, over TLS when
  // `tls` has contexts.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(asio::io_context& io,
                                                           std::string_view listen, Handler handler,
                                                           ListenerTls tls = {});
  ~HttpServer();

  uint16_t port() const { return port_; }
  // Stops accepting; connections in progress finish on their own (bounded by the 5 s timeout).
  void Stop();

 private:
  HttpServer(asio::io_context& io, Handler handler, ListenerTls tls);
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(asio::ip::tcp::socket accepted);
  // Reads the head and body of one request; an error response when they are unusable.
  asio::awaitable<HttpResponse> ReadAndHandle(ConnectionStream& stream, bool* head_only);
  // The TLS handshake of a connection (`timed_out` tells a watchdog close from a failure).
  asio::awaitable<bool> TlsHandshake(ConnectionStream& stream, const bool& timed_out);

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  const ListenerTls tls_;
  uint16_t port_ = 0;
  std::shared_ptr<std::atomic<size_t>> connections_ = std::make_shared<std::atomic<size_t>>(0);
};

// Splits "host:port" (host may be a bracketed IPv6 literal); false on a malformed address.
bool SplitHostPort(std::string_view address, std::string* host, uint16_t* port);

// The reason phrase of an HTTP status ("Not Found"); "Error" for codes it does not know.
const char* HttpReason(int status);

}  // namespace choreo::broker
