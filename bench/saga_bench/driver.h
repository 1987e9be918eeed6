// SagaDriver: starts the sagas of a choreo-saga-bench run by publishing their OrderCreated with a
// choreo::saga::Publisher.
//
// With a rate, saga i is scheduled at start + i / rate and its scheduled time is what latency is
// measured from (open loop: a driver that falls behind, because publishing blocked or the
// in-flight window was full, publishes late, and the delay shows in the latency instead of being
// hidden; see "coordinated omission"). Without a rate, a saga starts whenever fewer than
// max_in_flight are in flight, and its scheduled time is its publish time.
//
// Threading: Run() on one thread; Completed() from the order service's handler threads; the
// counters from anywhere.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <semaphore>
#include <set>

#include "choreo/saga/publisher.h"
#include "completion_ledger.h"

namespace choreo::bench {

class SagaDriver {
 public:
  // `publisher` and `ledger` must outlive the driver.
  SagaDriver(saga::Publisher& publisher, CompletionLedger& ledger, double rate,
             int64_t max_in_flight);

  // Starts sagas from `start` until `end` or Stop(); returns when every publish has been answered.
  void Run(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point end);
  void Stop() { stop_.store(true, std::memory_order_relaxed); }

  // A saga completed for the first time: frees its place in the in-flight window.
  void Completed() { window_.release(); }

  // Sagas started (publish attempted), and publishes that failed.
  uint64_t started() const { return started_.load(std::memory_order_relaxed); }
  uint64_t publish_errors() const { return publish_errors_.load(std::memory_order_relaxed); }
  // Whether saga `seq`'s OrderCreated failed to publish (it may still have been stored).
  bool PublishFailed(uint64_t seq) const;
  // Times Run() found itself behind schedule by more than 1 ms (rate mode), and the largest lag.
  uint64_t late_starts() const { return late_starts_; }
  int64_t max_lag_ns() const { return max_lag_ns_; }

 private:
  void Publish(uint64_t seq, int64_t scheduled_ns);

  saga::Publisher& publisher_;
  CompletionLedger& ledger_;
  const double rate_;
  std::counting_semaphore<> window_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> answered_{0};
  std::atomic<uint64_t> publish_errors_{0};
  mutable std::mutex failed_mu_;
  std::set<uint64_t> failed_;  // guarded by failed_mu_
  uint64_t late_starts_ = 0;   // Run()'s thread
  int64_t max_lag_ns_ = 0;     // Run()'s thread
};

// Nanoseconds on the steady clock.
int64_t SteadyNanos();
int64_t SteadyNanos(std::chrono::steady_clock::time_point t);

}  // namespace choreo::bench
