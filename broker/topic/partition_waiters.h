// Long-poll support: a fetch that wants more data parks a Waiter under each partition it reads;
// the store's CommitListener (on the committer thread) wakes the waiters of a partition when new
// data becomes visible there.
//
// No wake-up is lost: a fetch registers its Waiter before its first read and calls Rearm() before
// every re-read, so a commit that lands while the read is in progress leaves the Waiter woken and
// the following WaitUntil() returns at once.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// One parked fetch. Created and awaited on its session's strand; Wake() may be called from any
// thread.
class Waiter : public std::enable_shared_from_this<Waiter> {
 public:
  // `strand` is the executor of the fetch coroutine (its session's strand).
  explicit Waiter(asio::any_io_executor strand) : timer_(std::move(strand)) {}

  // Thread-safe, non-blocking: marks the waiter woken and ends a pending WaitUntil().
  void Wake();
  // On the strand: forgets earlier wake-ups. Call before re-checking for data.
  void Rearm() {
    woken_ = false;
    woken_at_.store(0, std::memory_order_relaxed);
  }
  // On the strand: when the first Wake() since the last Rearm() was called, if any (for the
  // fetch_wake latency hop).
  std::optional<std::chrono::steady_clock::time_point> woken_at() const {
    const int64_t ns = woken_at_.load(std::memory_order_relaxed);
    if (ns == 0) return std::nullopt;
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
  }
  // On the strand: returns when woken (possibly before this call, since the last Rearm()) or at
  // `deadline`.
  asio::awaitable<void> WaitUntil(std::chrono::steady_clock::time_point deadline);

 private:
  asio::steady_timer timer_;
  bool woken_ = false;                // strand-owned
  std::atomic<int64_t> woken_at_{0};  // steady_clock nanoseconds; 0: not woken
};

// Registry of waiters by partition. Thread-safe.
class PartitionWaiters {
 public:
  void Add(storage::TopicId topic, storage::PartitionId partition, std::shared_ptr<Waiter> waiter);
  void Remove(storage::TopicId topic, storage::PartitionId partition, const Waiter* waiter);
  // Wakes every waiter of the partition. Non-blocking; called from the store's committer thread.
  void Notify(storage::TopicId topic, storage::PartitionId partition);

 private:
  using Key = std::pair<storage::TopicId, storage::PartitionId>;
  Mutex mu_;
  absl::flat_hash_map<Key, std::vector<std::shared_ptr<Waiter>>> waiters_ ABSL_GUARDED_BY(mu_);
};

// RAII registration of one waiter under several partitions.
class WaiterRegistration {
 public:
  WaiterRegistration(PartitionWaiters& registry, std::shared_ptr<Waiter> waiter)
      : registry_(registry), waiter_(std::move(waiter)) {}
  ~WaiterRegistration();
  WaiterRegistration(const WaiterRegistration&) = delete;
  WaiterRegistration& operator=(const WaiterRegistration&) = delete;

  void Add(storage::TopicId topic, storage::PartitionId partition);
  bool empty() const { return keys_.empty(); }

 private:
  PartitionWaiters& registry_;
  std::shared_ptr<Waiter> waiter_;
  std::vector<std::pair<storage::TopicId, storage::PartitionId>> keys_;
};

}  // namespace choreo::broker
