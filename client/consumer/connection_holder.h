// ConnectionHolder: a connection to the broker, (re-)opened on demand.
//
// Several parts of a client share one connection (a consumer's fetches, heartbeats and commits;
// an Admin's calls); each takes the current one with Get() for one request. Ensure() opens a new
// connection when there is none yet (the broker was not reachable when the client was created),
// or the current one is closed or lost, at most once per backoff period (100 ms doubling to 1 s
// while attempts fail, +-20% jitter so that many clients of a restarted broker do not reconnect
// in step). WaitConnected() keeps trying until a deadline.
//
// Threading: thread-safe. Ensure() blocks up to ClientOptions::connect_timeout and
// WaitConnected() up to its deadline; call them from a thread that may block (the heartbeat
// thread, the application's). Never call them or drop the last reference to a Connection from a
// response callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/connection.h"

namespace choreo::client_internal {

class ConnectionHolder {
 public:
  using Clock = std::chrono::steady_clock;

  // `connection` may be null: not connected yet, because of `why` (the first Open()'s error); the
  // next attempt is then one backoff period away.
  ConnectionHolder(const ClientOptions& options, std::unique_ptr<Connection> connection,
                   Status why = OkStatus());

  // The current connection, never null (possibly lost, or a NotConnected() stand-in: requests
  // then fail with kConnectionFailed).
  std::shared_ptr<Connection> Get() const;
  // The current connection if open; otherwise opens a new one (unless the last attempt was less
  // than the backoff ago: then kConnectionFailed with the last attempt's error). An attempt is
  // bounded by connect_timeout and by `deadline`. Errors: Connection::Open's, kClosed.
  Result<std::shared_ptr<Connection>> Ensure(Clock::time_point deadline = Clock::time_point::max());
  // Ensure(), tried again after each backoff until it succeeds, fails with an error that is not
  // a reachability problem (IsUnreachable), the holder is closed, or `deadline` passes (then
  // kConnectionFailed naming the last attempt's error).
  Result<std::shared_ptr<Connection>> WaitConnected(Clock::time_point deadline);
  // Closes the current connection; later Ensure() calls fail with kClosed and WaitConnected()
  // returns. Not from a callback.
  void Close();

 private:
  const ClientOptions options_;
  mutable Mutex mu_;
  CondVar closed_changed_;
  std::shared_ptr<Connection> current_ CHOREO_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Connection>> retired_ CHOREO_GUARDED_BY(mu_);
  bool closed_ CHOREO_GUARDED_BY(mu_) = false;
  Clock::time_point next_attempt_ CHOREO_GUARDED_BY(mu_);
  uint32_t failures_ CHOREO_GUARDED_BY(mu_) = 0;  // consecutive failed attempts
  Status last_error_ CHOREO_GUARDED_BY(mu_);
  Mutex open_mu_;  // one Open() at a time, without holding mu_ while connecting
};

}  // namespace choreo::client_internal
