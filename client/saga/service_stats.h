// ServiceCounters: the counters behind SagaService::Stats() and PrometheusText().
// Thread-safe (one mutex: counters change per step, not per byte).
#pragma once

#include <string>
#include <string_view>

#include "choreo/common/mutex.h"
#include "choreo/saga/service.h"

namespace choreo::saga::internal {

class ServiceCounters {
 public:
  enum class Counter { kHandled, kFailed, kRetried, kDeadLettered, kParked, kSkipped, kReplayed };

  void Add(std::string_view type, Counter counter, uint64_t n = 1);
  void StepAcknowledged(uint64_t steps, uint64_t published);
  // Fills everything but parked_sagas and pending_events (the service knows those).
  ServiceStats Snapshot() const;

 private:
  mutable Mutex mu_;
  ServiceStats stats_ CHOREO_GUARDED_BY(mu_);
};

// Prometheus text exposition of `stats` for service `service`.
std::string FormatPrometheus(std::string_view service, const ServiceStats& stats);

}  // namespace choreo::saga::internal
