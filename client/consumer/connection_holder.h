// ConnectionHolder: the consumer's connection, re-opened after it is lost.
//
// Several parts of a consumer share one connection (fetches, heartbeats, commits); each takes the
// current one with Get() for one request. Ensure() opens a new connection when the current one is
// closed or lost, at most once per backoff period (100 ms doubling to 1 s while attempts fail).
//
// Threading: thread-safe. Ensure() blocks up to ClientOptions::connect_timeout; call it from a
// thread that may block (the heartbeat thread, or Poll() of a consumer without a group). Never
// call Ensure() or drop the last reference to a Connection from a response callback.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/connection.h"

namespace choreo::client_internal {

class ConnectionHolder {
 public:
  ConnectionHolder(const ClientOptions& options, std::unique_ptr<Connection> connection);

  // The current connection (possibly lost; requests then fail with kConnectionFailed).
  std::shared_ptr<Connection> Get() const;
  // The current connection if open; otherwise opens a new one (unless the last attempt was less
  // than the backoff ago: then kConnectionFailed). Errors: Connection::Open's.
  Result<std::shared_ptr<Connection>> Ensure();
  // Closes the current connection; later Ensure() calls fail with kClosed. Not from a callback.
  void Close();

 private:
  using Clock = std::chrono::steady_clock;
  const ClientOptions options_;
  mutable Mutex mu_;
  std::shared_ptr<Connection> current_ CHOREO_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Connection>> retired_ CHOREO_GUARDED_BY(mu_);
  bool closed_ CHOREO_GUARDED_BY(mu_) = false;
  Clock::time_point next_attempt_ CHOREO_GUARDED_BY(mu_);
  std::chrono::milliseconds backoff_ CHOREO_GUARDED_BY(mu_){100};
  Mutex open_mu_;  // one Open() at a time, without holding mu_ while connecting
};

}  // namespace choreo::client_internal
