#include "broker/http/http_server.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <chrono>

namespace choreo::broker {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(5);
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string Serialize(const HttpResponse& r, bool head_only) {
  std::string out = absl::StrCat("HTTP/1.1 ", r.status, " ", HttpReason(r.status),
                                 "\r\nContent-Type: ", r.content_type,
                                 "\r\nContent-Length: ", r.body.size(), "\r\n");
  for (const auto& [name, value] : r.headers)
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "Connection: close\r\n\r\n");
  if (!head_only) out += r.body;
  return out;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return HttpResponse{.status = status, .body = std::string(message) + "\n"};
}

// Counts a connection while it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<std::atomic<size_t>> count) : count_(std::move(count)) {
    count_->fetch_add(1);
  }
  ~ConnectionSlot() { count_->fetch_sub(1); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<std::atomic<size_t>> count_;
};

}  // namespace

const char* HttpReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

bool SplitHostPort(std::string_view address, std::string* host, uint16_t* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  uint32_t p = 0;
  const std::string_view digits = address.substr(colon + 1);
  if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &p) || p > 65535) {
    return false;
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(p);
  return true;
}

HttpServer::HttpServer(asio::io_context& io, Handler handler, ListenerTls tls)
    : io_(io), acceptor_(io), handler_(std::move(handler)), tls_(tls) {}

HttpServer::~HttpServer() {
  Stop();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(asio::io_context& io,
                                                              std::string_view listen,
                                                              Handler handler, ListenerTls tls) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(listen, &host, &port)) {
    return absl::InvalidArgumentError("bad HTTP listen address '" + std::string(listen) + "'");
  }
  std::unique_ptr<HttpServer> server(new HttpServer(io, std::move(handler), tls));
  asio::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec || endpoints.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve '", host, "': ", ec.message()));
  }
  const asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
  server->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) server->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server->acceptor_.bind(endpoint, ec);
  if (!ec) server->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen for HTTP on " + std::string(listen) + ": " +
                                  ec.message());
  }
  server->port_ = server->acceptor_.local_endpoint().port();
  asio::co_spawn(io, server->AcceptLoop(), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: accept loop failed: {}", ex.what());
      }
    }
  });
  return server;
}

void HttpServer::Stop() {
  asio::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> HttpServer::AcceptLoop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      continue;  // e.g. EMFILE: keep serving what we can
    }
    asio::co_spawn(io_, Serve(std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::warn("http: request failed: {}", ex.what());
      }
    });
  }
}

asio::awaitable<HttpResponse> HttpServer::ReadAndHandle(ConnectionStream& socket, bool* head_only) {
  std::string buffer;
  auto [ec, head_bytes] = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(buffer, kMaxRequestHeadBytes), "\r\n\r\n", kAsTuple);
  if (ec) {
    // not_found = head over the limit: answered; anything else (peer gone, timeout): nothing to
    // answer, signalled by status 0.
    if (ec == asio::error::not_found) co_return ErrorResponse(400, "request head too large");
    co_return HttpResponse{.status = 0};
  }
  HttpRequest request;
  size_t content_length = 0;
  if (std::optional<HttpError> error = ParseRequestHead(
          std::string_view(buffer).substr(0, head_bytes), &request, &content_length)) {
    co_return ErrorResponse(error->status, error->message);
  }
  *head_only = request.method == "HEAD";
  // async_read_until may have read past the head: that is the start of the body.
  request.body = buffer.substr(head_bytes);
  if (request.body.size() > content_length) request.body.resize(content_length);
  if (request.body.size() < content_length) {
    const size_t have = request.body.size();
    request.body.resize(content_length);
    auto [read_ec, n] = co_await asio::async_read(
        socket, asio::buffer(request.body.data() + have, content_length - have), kAsTuple);
    if (read_ec) co_return HttpResponse{.status = 0};
  }
  if (request.method == "POST" && !request.body.empty()) {
    const std::string_view type = request.Header("content-type").value_or("");
    if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      if (auto error = ParseFormParams(request.body, &request.params)) {
        co_return ErrorResponse(error->status, error->message);
      }
    }
  }
  co_return handler_(request);
}

asio::awaitable<bool> HttpServer::TlsHandshake(ConnectionStream& stream, const bool& timed_out) {
  auto [ec] = co_await stream.async_handshake(kAsTuple);
  if (!ec) co_return true;
  asio::error_code peer_ec;
  const asio::ip::tcp::endpoint peer = stream.socket().remote_endpoint(peer_ec);
  const std::string address =
      peer_ec ? "unknown" : absl::StrCat(peer.address().to_string(), ":", peer.port());
  if (tls_.failures != nullptr) {
    tls_.failures->Record(TlsListener::kHttp, address,
                          timed_out ? "no TLS handshake within 5s" : TlsErrorReason(ec));
  }
  co_return false;
}

asio::awaitable<void> HttpServer::Serve(asio::ip::tcp::socket accepted) {
  ConnectionSlot slot(connections_);
  // The watchdog closes the socket if the exchange takes too long. It shares ownership of the
  // stream: its handler may already be queued when this coroutine finishes.
  auto stream_ptr = std::make_shared<ConnectionStream>(
      tls_.contexts != nullptr ? ConnectionStream(std::move(accepted), tls_.contexts->ForHttp())
                               : ConnectionStream(std::move(accepted)));
  ConnectionStream& socket = *stream_ptr;
  auto timed_out = std::make_shared<bool>(false);
  auto timer = std::make_shared<asio::steady_timer>(socket.get_executor(), kRequestTimeout);
  timer->async_wait([stream_ptr, timer, timed_out](const asio::error_code& ec) {
    if (!ec) {
      *timed_out = true;
      asio::error_code ignored;
      stream_ptr->socket().close(ignored);
    }
  });
  if (socket.tls()) {
    // Not inside `&&`: gcc 12 miscompiles co_await there.
    const bool ready = co_await TlsHandshake(socket, *timed_out);
    if (!ready) {
      timer->cancel();
      asio::error_code ignored;
      socket.socket().close(ignored);
      co_return;
    }
  }
  bool head_only = false;
  HttpResponse response;
  if (connections_->load() > kMaxHttpConnections) {
    response = ErrorResponse(503, "too many HTTP connections");
  } else {
    response = co_await ReadAndHandle(socket, &head_only);
  }
  if (response.status != 0) {
    const std::string wire = Serialize(response, head_only);
    co_await asio::async_write(socket, asio::buffer(wire), kAsTuple);
  }
  // TLS: close_notify, so that clients see a clean end (bounded by the timer like the rest).
  if (socket.tls()) co_await socket.async_shutdown(kAsTuple);
  timer->cancel();
  asio::error_code ec;
  socket.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

}  // namespace choreo::broker
