// ScheduledReader: a consumer thread reading every partition of the scheduled topic from its
// start, checking that each expected record (seq in [first, last)) arrives exactly once, and
// measuring its lateness: the wall time Poll() returned it minus the due time in its value.
//
// Threading: Start() once; the accessors from any thread; Stop() (or the destructor) joins.
#pragma once

#include <absl/status/status.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/latency_histogram.h"

namespace choreo::bench {

struct ArrivalReport {
  int64_t expected = 0;
  int64_t received = 0;         // distinct expected records
  int64_t missing = 0;          // expected, never received
  int64_t duplicates = 0;       // received more than once
  int64_t unexpected = 0;       // seq outside [first, last), or a value too short to carry one
  int64_t early = 0;            // received before their due time (the broker's clock is the same)
  int64_t late = 0;             // more than 100 ms after their due time
  int64_t last_arrival_ns = 0;  // wall time of the last expected record's arrival
  LatencyHistogram lateness;
};

class ScheduledReader {
 public:
  ScheduledReader(std::string broker, std::string topic, uint32_t partitions, int64_t first,
                  int64_t last);
  ~ScheduledReader();

  // Assigns the partitions (from their start) and starts polling.
  absl::Status Start();
  // Waits until every expected record arrived or `timeout_s` passed; true if all did.
  bool WaitForAll(double timeout_s);
  // Distinct expected records received so far.
  int64_t received() const { return received_.load(std::memory_order_relaxed); }
  void Stop();
  // Stop() first.
  ArrivalReport Report() const;

 private:
  const std::string broker_;
  const std::string topic_;
  const uint32_t partitions_;
  const int64_t first_;
  const int64_t last_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> received_{0};
  // Written by the polling thread only; read by Report() after Stop().
  std::vector<uint8_t> seen_;
  ArrivalReport report_;
};

}  // namespace choreo::bench
