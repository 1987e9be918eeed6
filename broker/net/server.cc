#include "broker/net/server.h"

#include <absl/strings/str_cat.h>

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <vector>

#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/net/listen_address.h"
#include "broker/net/native_protocol.h"
#include "broker/net/session.h"
#include "broker/net/spawn.h"

namespace choreo::broker {
namespace {

// After Drain() aborts the sessions that outlived the grace period, how long to wait for their
// request coroutines to notice.
constexpr absl::Duration kAbortWait = absl::Seconds(2);
// Pause after an accept error such as EMFILE, so a persistent failure does not spin.
constexpr auto kAcceptErrorBackoff = std::chrono::milliseconds(100);

}  // namespace

Server::Server(asio::io_context& io, BrokerServices& services, ListenerTls tls,
               ProtocolFactory protocols)
    : io_(io),
      services_(services),
      tls_(tls),
      protocols_(protocols != nullptr
                     ? std::move(protocols)
                     : [&services](uint64_t id) -> std::unique_ptr<SessionProtocol> {
        return std::make_unique<NativeProtocol>(services, id);
      }),
      acceptor_(asio::make_strand(io)) {}

Server::~Server() = default;

absl::Status Server::Listen(const std::string& address) {
  absl::StatusOr<asio::ip::tcp::endpoint> endpoint = ResolveListenAddress(address);
  if (!endpoint.ok()) return endpoint.status();
  asio::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) endpoint_ = acceptor_.local_endpoint(ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ": ", ec.message()));
  }
  return absl::OkStatus();
}

std::string Server::address() const {
  return FormatEndpoint(endpoint_);
}

void Server::Start() {
  SpawnLogged(acceptor_.get_executor(), AcceptLoop(), "acceptor", 0);
}

asio::awaitable<void> Server::AcceptLoop() {
  while (acceptor_.is_open()) {
    // Each connection gets its own strand: its coroutines never run concurrently.
    asio::ip::tcp::socket socket(asio::make_strand(io_));
    asio::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      NetLog().warn("event=accept_error error=\"{}\"", ec.message());
      asio::steady_timer backoff(acceptor_.get_executor(), kAcceptErrorBackoff);
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    OnAccepted(std::move(socket));
  }
}

void Server::OnAccepted(asio::ip::tcp::socket socket) {
  // With TLS, the context current now: a reload (SIGHUP) applies to connections accepted after it.
  ConnectionStream stream = tls_.contexts != nullptr
                                ? ConnectionStream(std::move(socket), tls_.contexts->ForProtocol())
                                : ConnectionStream(std::move(socket));
  std::shared_ptr<Session> session;
  bool over_limit = false;
  {
    MutexLock lock(&mu_);
    if (draining_) return;  // the socket closes as it goes out of scope
    const uint64_t id = next_id_++;
    over_limit = sessions_.size() >= services_.options.max_connections;
    session = std::make_shared<Session>(std::move(stream), id, services_, protocols_(id),
                                        tls_.failures, tls_.listener,
                                        [this](uint64_t closed) { OnSessionClosed(closed); });
    sessions_.emplace(id, session);
  }
  services_.metrics.ConnectionOpened();
  if (over_limit) {
    services_.metrics.LimitHit(Limit::kMaxConnections);
    session->Reject(proto::RESOURCE_EXHAUSTED, "the broker's connection limit has been reached");
  } else {
    session->Start();
  }
}

void Server::OnSessionClosed(uint64_t id) {
  services_.metrics.ConnectionClosed();
  {
    MutexLock lock(&mu_);
    sessions_.erase(id);
  }
  sessions_changed_.SignalAll();
}

bool Server::AwaitNoSessions(absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  MutexLock lock(&mu_);
  while (!sessions_.empty()) {
    if (!sessions_changed_.WaitUntil(&mu_, deadline)) return sessions_.empty();
  }
  return true;
}

bool Server::Drain(absl::Duration grace) {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    MutexLock lock(&mu_);
    draining_ = true;
    for (const auto& [id, session] : sessions_)
      sessions.push_back(session);
  }
  asio::post(acceptor_.get_executor(), [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
  });
  for (const auto& session : sessions)
    session->Stop();
  sessions.clear();
  if (AwaitNoSessions(grace)) return true;

  {
    MutexLock lock(&mu_);
    NetLog().warn("{} connections still busy after the shutdown grace period; aborting them",
                  sessions_.size());
    for (const auto& [id, session] : sessions_)
      sessions.push_back(session);
  }
  for (const auto& session : sessions)
    session->Abort();
  sessions.clear();
  if (!AwaitNoSessions(kAbortWait)) NetLog().warn("some connections did not close in time");
  return false;
}

}  // namespace choreo::broker
