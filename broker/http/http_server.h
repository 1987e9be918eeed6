// A deliberately small HTTP/1.1 server for /metrics, /healthz and /readyz: GET only, one request
// per connection (Connection: close), request head bounded to 8 KiB and 5 s. It is an operator
// endpoint, not a web framework; anything else gets 404/405/400.
//
// Threading: runs on the io_context it is given; the handler is called on that context's threads
// and must be thread-safe.
#pragma once

#include <absl/status/statusor.h>

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace choreo::broker {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(std::string_view path)>;

  // Binds `listen` ("host:port"; port 0 = ephemeral) and starts accepting on `io`.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(asio::io_context& io,
                                                           std::string_view listen,
                                                           Handler handler);
  ~HttpServer();

  uint16_t port() const { return port_; }
  // Stops accepting; connections in progress finish on their own (bounded by the 5 s timeout).
  void Stop();

 private:
  HttpServer(asio::io_context& io, Handler handler);
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(asio::ip::tcp::socket accepted);

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  uint16_t port_ = 0;
};

// Splits "host:port" (host may be a bracketed IPv6 literal); false on a malformed address.
bool SplitHostPort(std::string_view address, std::string* host, uint16_t* port);

}  // namespace choreo::broker
