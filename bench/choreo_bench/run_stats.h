// Counters shared between the workload threads and the once-a-second reporter.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "bench/common/latency_histogram.h"

namespace choreo::bench {

struct RunStats {
  std::atomic<int64_t> produced{0};        // acknowledged records
  std::atomic<int64_t> produced_bytes{0};  // acknowledged value bytes
  std::atomic<int64_t> produce_errors{0};
  std::atomic<int64_t> sent{0};               // records handed to producers, added at their end
  std::atomic<int64_t> sent_record_bytes{0};  // their RecordPayloadBytes
  std::atomic<int64_t> consumed{0};
  std::atomic<int64_t> consumed_bytes{0};
  std::atomic<int64_t> consume_errors{0};

  std::mutex latency_mu;
  LatencyHistogram latency;           // whole run, send -> receive
  LatencyHistogram latency_interval;  // since the last progress line
  LatencyHistogram ack_latency;       // with --trace: send -> acknowledgement
};

}  // namespace choreo::bench
