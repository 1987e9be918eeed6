#include "client/consumer/connection_holder.h"

#include <algorithm>
#include <utility>

namespace choreo::client_internal {

ConnectionHolder::ConnectionHolder(const ClientOptions& options,
                                   std::unique_ptr<Connection> connection)
    : options_(options), current_(std::move(connection)) {}

std::shared_ptr<Connection> ConnectionHolder::Get() const {
  MutexLock lock(&mu_);
  return current_;
}

Result<std::shared_ptr<Connection>> ConnectionHolder::Ensure() {
  MutexLock open_lock(&open_mu_);
  {
    MutexLock lock(&mu_);
    if (closed_) return Status(ErrorCode::kClosed, "consumer is closed");
    if (current_->IsOpen()) return current_;
    if (Clock::now() < next_attempt_) {
      return Status(ErrorCode::kConnectionFailed, "connection lost; reconnecting");
    }
  }
  Result<std::unique_ptr<Connection>> opened = Connection::Open(options_);
  std::shared_ptr<Connection> replaced;
  std::shared_ptr<Connection> current;
  {
    MutexLock lock(&mu_);
    if (!opened.ok()) {
      next_attempt_ = Clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(1000));
      return opened.status();
    }
    backoff_ = std::chrono::milliseconds(100);
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

void ConnectionHolder::Close() {
  std::shared_ptr<Connection> current;
  {
    MutexLock lock(&mu_);
    closed_ = true;
    current = current_;
  }
  current->Close();
}

}  // namespace choreo::client_internal
