// choreo-bench output: a progress line a second, a summary at the end, optionally JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/common/broker_hops.h"
#include "bench/common/latency_histogram.h"
#include "bench_options.h"

namespace choreo::bench {

struct Summary {
  double produce_seconds = 0;
  int64_t produced = 0;
  int64_t produced_bytes = 0;
  int64_t produce_errors = 0;
  // Mean bytes of a sent record: key + value + header names and values (RecordPayloadBytes).
  double record_bytes = 0;
  // CPU the spawned broker used while producers ran (-1: not measured), in seconds.
  double broker_produce_cpu_seconds = -1;
  double consume_seconds = 0;
  int64_t consumed = 0;
  int64_t consumed_bytes = 0;
  int64_t consume_errors = 0;
  LatencyHistogram latency;
  // With --trace: the producer's send -> acknowledgement times, and the broker's hops over the
  // run (empty if its /metrics could not be read).
  LatencyHistogram ack_latency;
  BrokerHops broker_hops;
  int64_t broker_rss_bytes = -1;       // at the end of the run
  int64_t broker_peak_rss_bytes = -1;  // highest sample during the run
  std::optional<double> ceiling_records_per_second;
};

// "[  3s] produce 1,020,311 rec/s  97.3 MB/s | consume ... | p99 2.10 ms | broker RSS 120 MB"
std::string ProgressLine(double elapsed_s, double produce_rate, double produce_mbps,
                         double consume_rate, double consume_mbps, const LatencyHistogram& interval,
                         int64_t broker_rss_bytes);

std::string SummaryText(const BenchOptions& options, const Summary& summary);
std::string SummaryJson(const BenchOptions& options, const Summary& summary);

}  // namespace choreo::bench
