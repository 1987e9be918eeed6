// Server: the listening socket, the accept loop and the set of live sessions.
//
// Lifecycle: Listen() binds (synchronously, so bind errors reach Broker::Start), Start() begins
// accepting, Drain() stops accepting and closes every session gracefully, aborting those still
// open after the grace period.
// Threading: Listen()/Start() from the owning thread before serving; Drain() and port() from any
// thread except the io threads. Each session runs on its own strand; the acceptor on another.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/time/time.h>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "broker/handlers/request_context.h"
#include "broker/net/session_protocol.h"
#include "broker/net/tls_context.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

class Session;

// Makes the protocol of a new connection (its id given, for log lines).
using ProtocolFactory = std::function<std::unique_ptr<SessionProtocol>(uint64_t connection_id)>;

class Server {
 public:
  // `io` and `services` are borrowed and must outlive the server. With `tls`, every accepted
  // connection starts with a TLS handshake, using the context current at accept time. Connections
  // speak the protocols `protocols` makes; null: choreo's own (NativeProtocol). Every listener
  // shares the limits of services.options (max_connections counts per listener).
  Server(asio::io_context& io, BrokerServices& services, ListenerTls tls = {},
         ProtocolFactory protocols = nullptr);
  ~Server();

  absl::Status Listen(const std::string& address);
  void Start();
  // Stops accepting, asks every session to finish its in-flight requests and close, and waits up
  // to `grace` for them; the rest are aborted (and waited for a little longer). Returns true if
  // every session closed gracefully.
  bool Drain(absl::Duration grace);

  uint16_t port() const { return endpoint_.port(); }
  std::string address() const;

 private:
  asio::awaitable<void> AcceptLoop();
  void OnAccepted(asio::ip::tcp::socket socket);
  void OnSessionClosed(uint64_t id);
  // Waits until no session is left or `timeout` passes; true if none is left.
  bool AwaitNoSessions(absl::Duration timeout);

  asio::io_context& io_;
  BrokerServices& services_;
  const ListenerTls tls_;
  const ProtocolFactory protocols_;
  asio::ip::tcp::acceptor acceptor_;  // on its own strand
  asio::ip::tcp::endpoint endpoint_;  // as bound

  Mutex mu_;
  CondVar sessions_changed_;  // notified when a session leaves sessions_
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<uint64_t, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
