#include "broker/topic/partition_waiters.h"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace choreo::broker {

void Waiter::Wake() {
  int64_t unset = 0;
  woken_at_.compare_exchange_strong(unset,
                                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count(),
                                    std::memory_order_relaxed);
  // The timer is strand-owned; hop there. The shared_ptr keeps the waiter alive until then.
  asio::post(timer_.get_executor(), [self = shared_from_this()] {
    self->woken_ = true;
    self->timer_.cancel();
  });
}

asio::awaitable<void> Waiter::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  if (woken_) co_return;
  timer_.expires_at(deadline);
  asio::error_code ec;  // operation_aborted means woken; either way the caller re-checks
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void PartitionWaiters::Add(storage::TopicId topic, storage::PartitionId partition,
                           std::shared_ptr<Waiter> waiter) {
  MutexLock lock(&mu_);
  waiters_[Key(topic, partition)].push_back(std::move(waiter));
}

void PartitionWaiters::Remove(storage::TopicId topic, storage::PartitionId partition,
                              const Waiter* waiter) {
  MutexLock lock(&mu_);
  auto it = waiters_.find(Key(topic, partition));
  if (it == waiters_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [waiter](const auto& w) { return w.get() == waiter; }),
             list.end());
  if (list.empty()) waiters_.erase(it);
}

void PartitionWaiters::Notify(storage::TopicId topic, storage::PartitionId partition) {
  MutexLock lock(&mu_);
  auto it = waiters_.find(Key(topic, partition));
  if (it == waiters_.end()) return;
  // Wake() only posts, so holding the lock here is cheap and keeps waiters alive meanwhile.
  for (const auto& waiter : it->second)
    waiter->Wake();
}

WaiterRegistration::~WaiterRegistration() {
  for (const auto& [topic, partition] : keys_)
    registry_.Remove(topic, partition, waiter_.get());
}

void WaiterRegistration::Add(storage::TopicId topic, storage::PartitionId partition) {
  // A fetch may name the same partition twice; one registration is enough.
  if (std::find(keys_.begin(), keys_.end(), std::pair(topic, partition)) != keys_.end()) return;
  registry_.Add(topic, partition, waiter_);
  keys_.emplace_back(topic, partition);
}

}  // namespace choreo::broker
