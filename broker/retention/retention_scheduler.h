// RetentionScheduler: runs the store's retention pass (LogStore::ApplyRetention) every
// `interval` on a thread of its own, and flushes the store after a pass that dropped data (so the
// WAL files that held it can be deleted too). Each pass first expires idle idempotent producers
// (LogStore::ExpireProducers, --producer-id-expiration-ms).
//
// Why its own thread rather than the storage pool: a pass ends with a compaction that can take
// seconds on a large trim, and it would hold a pool thread that fetches need. The store serializes
// passes and lets Close() cancel a running one, so shutdown never waits for a compaction.
//
// Lifecycle: Start() once; RequestStop() makes the thread exit after (or, with the store's
// Close(), during) its current pass; Join() waits for it. The destructor does both.
// Threading: the methods are for the owning thread; the pass runs on the scheduler's thread.
#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <functional>
#include <thread>

#include "broker/metrics/broker_metrics.h"
#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class RetentionScheduler {
 public:
  // Milliseconds since the Unix epoch; injectable so tests can move time.
  using Clock = std::function<int64_t()>;

  // `store` and `metrics` are borrowed and must outlive the scheduler. `interval` > 0.
  RetentionScheduler(storage::LogStore& store, absl::Duration interval, BrokerMetrics& metrics,
                     Clock clock = nullptr);
  ~RetentionScheduler();
  RetentionScheduler(const RetentionScheduler&) = delete;
  RetentionScheduler& operator=(const RetentionScheduler&) = delete;

  void Start();
  void RequestStop();
  void Join();

 private:
  void Run();
  void RunPass();
  void ExpireProducers();
  bool Stopping();

  storage::LogStore& store_;
  const absl::Duration interval_;
  BrokerMetrics& metrics_;
  const Clock clock_;
  std::thread thread_;

  Mutex mu_;
  CondVar stop_changed_;
  bool stop_ CHOREO_GUARDED_BY(mu_) = false;
};

}  // namespace choreo::broker
