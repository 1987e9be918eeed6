// CompletionLedger: which sagas completed, how often, and how long they took.
//
// Sagas are numbered 0, 1, 2, ... by the driver in the order it starts them. The order service's
// handler reports each completion (it saw the saga's ShipmentCreated); the ledger counts
// completions per saga, so the end-of-run check finds a saga completed twice or never, and records
// the completion latency (handler clock minus the saga's scheduled start) of sagas scheduled
// inside the measured window, and the time to each earlier handler (RecordStage).
//
// Threading: Register() from one thread (the driver), before the saga's first event is published;
// Complete() from any thread; the rest from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/common/latency_histogram.h"

namespace choreo::bench {

class CompletionLedger {
 public:
  CompletionLedger();
  ~CompletionLedger();

  // Completions inside [start_ns, end_ns) (steady clock) count for throughput; sagas scheduled
  // inside it count for latency. Call before any Complete().
  void SetWindow(int64_t start_ns, int64_t end_ns);

  // Makes room for saga `seq`. Sagas are registered in order, once each.
  void Register(uint64_t seq);
  // Saga `seq`, scheduled at `scheduled_ns`, completed at `now_ns`. Returns how many times it has
  // completed now (1 the first time); 0 for a saga that was never registered.
  uint32_t Complete(uint64_t seq, int64_t scheduled_ns, int64_t now_ns);

  // Sagas completed at least once.
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  // Sagas completed at least once, the first time inside the window.
  uint64_t completed_in_window() const { return in_window_.load(std::memory_order_relaxed); }
  // Completions beyond each saga's first, and completions of unregistered sagas.
  uint64_t repeated_completions() const { return repeated_.load(std::memory_order_relaxed); }
  uint64_t unknown_completions() const { return unknown_.load(std::memory_order_relaxed); }

  // Completion latency of sagas scheduled in the window (first completions only).
  LatencyHistogram WindowLatency() const;
  // Latency of every first completion since the previous call (for the progress line).
  LatencyHistogram TakeInterval();

  // The payment (stage 0) or shipping (stage 1) handler saw a saga scheduled at `scheduled_ns` at
  // `now_ns`: where the completion latency goes, hop by hop (sagas scheduled in the window only).
  void RecordStage(int stage, int64_t scheduled_ns, int64_t now_ns);
  // Time from the scheduled start to the payment and the shipping handler.
  std::array<LatencyHistogram, 2> StageLatency() const;

  // Times saga `seq` completed (0 for one never registered).
  uint32_t Count(uint64_t seq) const;

 private:
  static constexpr int kChunkBits = 16;
  static constexpr uint64_t kChunkSize = 1ull << kChunkBits;
  static constexpr size_t kMaxChunks = 1 << 14;  // 2^30 sagas

  std::atomic<uint32_t>* Slot(uint64_t seq) const;

  // Allocated by Register() (one thread), read by everyone.
  std::array<std::atomic<std::atomic<uint32_t>*>, kMaxChunks> chunks_{};
  int64_t window_start_ns_ = 0;
  int64_t window_end_ns_ = 0;
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> in_window_{0};
  std::atomic<uint64_t> repeated_{0};
  std::atomic<uint64_t> unknown_{0};

  mutable std::mutex latency_mu_;
  LatencyHistogram window_latency_;                // guarded by latency_mu_
  LatencyHistogram interval_latency_;              // guarded by latency_mu_
  std::array<LatencyHistogram, 2> stage_latency_;  // guarded by latency_mu_
};

}  // namespace choreo::bench
