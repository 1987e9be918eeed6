#include "client/consumer/connection_holder.h"

#include <algorithm>
#include <utility>

#include "client/producer/retry_policy.h"

namespace choreo::client_internal {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{1000};

}  // namespace

ConnectionHolder::ConnectionHolder(const ClientOptions& options,
                                   std::unique_ptr<Connection> connection, Status why)
    : options_(options) {
  MutexLock lock(&mu_);
  if (connection != nullptr) {
    current_ = std::move(connection);
    return;
  }
  last_error_ = why.ok() ? Status(ErrorCode::kConnectionFailed, "not connected yet") : why;
  current_ = Connection::NotConnected(last_error_);
  failures_ = 1;
  next_attempt_ = Clock::now() + Backoff(kFirstBackoff, kMaxBackoff, failures_);
}

std::shared_ptr<Connection> ConnectionHolder::Get() const {
  MutexLock lock(&mu_);
  return current_;
}

Result<std::shared_ptr<Connection>> ConnectionHolder::Ensure(Clock::time_point deadline) {
  MutexLock open_lock(&open_mu_);
  {
    MutexLock lock(&mu_);
    if (closed_) return Status(ErrorCode::kClosed, "closed");
    if (current_->IsOpen()) return current_;
    if (Clock::now() < next_attempt_) {
      return Status(ErrorCode::kConnectionFailed,
                    "not connected; reconnecting (last attempt: " + last_error_.message() + ")");
    }
  }
  ClientOptions attempt = options_;
  const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  attempt.connect_timeout =
      std::clamp(remaining, std::chrono::milliseconds(1), options_.connect_timeout);
  Result<std::unique_ptr<Connection>> opened = Connection::Open(attempt);
  std::shared_ptr<Connection> replaced;
  std::shared_ptr<Connection> current;
  {
    MutexLock lock(&mu_);
    if (!opened.ok()) {
      last_error_ = opened.status();
      next_attempt_ = Clock::now() + Backoff(kFirstBackoff, kMaxBackoff, ++failures_);
      return opened.status();
    }
    failures_ = 0;
    replaced = std::exchange(current_, std::shared_ptr<Connection>(std::move(opened).value()));
    // Closed connections nobody else references any more can go (their threads are joined).
    std::erase_if(retired_, [](const auto& c) { return c.use_count() == 1; });
    retired_.push_back(replaced);
    if (closed_) current_->Close();
    current = current_;
  }
  replaced->Close();  // joins its I/O thread: no callback of it runs after this
  return current;
}

Result<std::shared_ptr<Connection>> ConnectionHolder::WaitConnected(Clock::time_point deadline) {
  for (;;) {
    Result<std::shared_ptr<Connection>> connection = Ensure(deadline);
    if (connection.ok() || !IsUnreachable(connection.status())) return connection;
    MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      return Status(ErrorCode::kConnectionFailed,
                    "no connection to the broker in time; last attempt: " + last_error_.message());
    }
    const Clock::time_point retry = std::min(next_attempt_, deadline);
    while (!closed_ && Clock::now() < retry)
      closed_changed_.WaitUntil(&mu_, retry);
    if (closed_) return Status(ErrorCode::kClosed, "closed");
  }
}

void ConnectionHolder::Close() {
  std::shared_ptr<Connection> current;
  {
    MutexLock lock(&mu_);
    closed_ = true;
    closed_changed_.SignalAll();
    current = current_;
  }
  current->Close();
}

}  // namespace choreo::client_internal
