#include "broker/http/http_server.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <chrono>

namespace choreo::broker {
namespace {

constexpr size_t kMaxRequestHeadBytes = 8192;
constexpr auto kRequestTimeout = std::chrono::seconds(5);

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string Serialize(const HttpResponse& r) {
  return absl::StrCat("HTTP/1.1 ", r.status, " ", Reason(r.status),
                      "\r\nContent-Type: ", r.content_type, "\r\nContent-Length: ", r.body.size(),
                      "\r\nConnection: close\r\n\r\n", r.body);
}

}  // namespace

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

HttpServer::HttpServer(asio::io_context& io, Handler handler)
    : io_(io), acceptor_(io), handler_(std::move(handler)) {}

HttpServer::~HttpServer() {
  Stop();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(asio::io_context& io,
                                                              std::string_view listen,
                                                              Handler handler) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(listen, &host, &port)) {
    return absl::InvalidArgumentError("bad HTTP listen address '" + std::string(listen) + "'");
  }
  std::unique_ptr<HttpServer> server(new HttpServer(io, std::move(handler)));
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
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
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

asio::awaitable<void> HttpServer::Serve(asio::ip::tcp::socket accepted) {
  // The watchdog closes the socket if the exchange takes too long. It shares ownership of the
  // socket: its handler may already be queued when this coroutine finishes.
  auto socket_ptr = std::make_shared<asio::ip::tcp::socket>(std::move(accepted));
  asio::ip::tcp::socket& socket = *socket_ptr;
  auto timer = std::make_shared<asio::steady_timer>(socket.get_executor(), kRequestTimeout);
  timer->async_wait([socket_ptr, timer](const asio::error_code& ec) {
    if (!ec) {
      asio::error_code ignored;
      socket_ptr->close(ignored);
    }
  });
  std::string head;
  asio::error_code ec;
  size_t n = 0;
  std::tie(ec, n) = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(head, kMaxRequestHeadBytes), "\r\n\r\n",
      asio::experimental::as_tuple(asio::use_awaitable));
  HttpResponse response;
  if (ec) {
    if (ec != asio::error::not_found) {  // not_found = head over the limit; answer 400 below
      timer->cancel();
      co_return;
    }
    response = {.status = 400, .body = "request head too large\n"};
  } else {
    const size_t line_end = head.find("\r\n");
    const std::string_view line = std::string_view(head).substr(0, line_end);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
      response = {.status = 400, .body = "malformed request line\n"};
    } else if (line.substr(0, sp1) != "GET" && line.substr(0, sp1) != "HEAD") {
      response = {.status = 405, .body = "only GET is supported\n"};
    } else {
      std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      target = target.substr(0, target.find('?'));
      response = handler_(target);
    }
  }
  const std::string wire = Serialize(response);
  co_await asio::async_write(socket, asio::buffer(wire),
                             asio::experimental::as_tuple(asio::use_awaitable));
  timer->cancel();
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

}  // namespace choreo::broker
