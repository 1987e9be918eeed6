#include "driver.h"

#include <algorithm>
#include <thread>

#include "choreography.h"
#include "saga_bench/bench_events.pb.h"

namespace choreo::bench {

int64_t SteadyNanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

int64_t SteadyNanos() {
  return SteadyNanos(std::chrono::steady_clock::now());
}

SagaDriver::SagaDriver(saga::Publisher& publisher, CompletionLedger& ledger, double rate,
                       int64_t max_in_flight)
    : publisher_(publisher), ledger_(ledger), rate_(rate), window_(max_in_flight) {}

void SagaDriver::Run(std::chrono::steady_clock::time_point start,
                     std::chrono::steady_clock::time_point end) {
  using Clock = std::chrono::steady_clock;
  for (uint64_t seq = 0; !stop_.load(std::memory_order_relaxed); ++seq) {
    int64_t scheduled_ns = 0;
    if (rate_ > 0) {
      const Clock::time_point due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(seq) / rate_));
      if (due >= end) break;
      std::this_thread::sleep_until(due);
      scheduled_ns = SteadyNanos(due);
      window_.acquire();
      const int64_t lag = SteadyNanos() - scheduled_ns;
      if (lag > 1'000'000) ++late_starts_;
      max_lag_ns_ = std::max(max_lag_ns_, lag);
    } else {
      window_.acquire();
      const Clock::time_point now = Clock::now();
      if (now >= end) {
        window_.release();
        break;
      }
      scheduled_ns = SteadyNanos(now);
    }
    Publish(seq, scheduled_ns);
  }
  // Every publish is answered (acknowledged or failed) before the caller looks at the counters.
  while (answered_.load(std::memory_order_acquire) < started_.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void SagaDriver::Publish(uint64_t seq, int64_t scheduled_ns) {
  ledger_.Register(seq);
  const std::string saga_id = SagaIdFor(seq);
  sagabench::v1::OrderCreated order;
  order.set_order_id(saga_id);
  order.set_customer_id("customer-" + std::to_string(seq % 1000));
  order.set_sku("sku-" + std::to_string(seq % 100));
  order.set_quantity(static_cast<uint32_t>(1 + seq % 5));
  order.set_amount_cents(static_cast<int64_t>(1000 + seq % 10000));
  order.set_scheduled_ns(scheduled_ns);
  started_.fetch_add(1, std::memory_order_relaxed);
  publisher_.PublishAsync(saga_id, order, [this, seq](Result<saga::PublishedEvent> published) {
    if (!published.ok()) {
      publish_errors_.fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard lock(failed_mu_);
        failed_.insert(seq);
      }
      window_.release();
    }
    answered_.fetch_add(1, std::memory_order_release);
  });
}

bool SagaDriver::PublishFailed(uint64_t seq) const {
  std::lock_guard lock(failed_mu_);
  return failed_.contains(seq);
}

}  // namespace choreo::bench
