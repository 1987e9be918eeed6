// The producer and consumer loops of a choreo-bench run.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "bench_options.h"
#include "choreo/client/status.h"
#include "run_stats.h"

namespace choreo::bench {

// Nanoseconds on the steady clock; embedded in each value so consumers can compute latency.
int64_t NowNanos();

// Produces records until `quota` records are sent or `stop` is set, pacing at `rate` records/s
// (0 = unpaced). Returns once every sent record is acknowledged or failed.
Status RunProducer(const BenchOptions& options, int index, int64_t quota, double rate,
                   const std::atomic<bool>& stop, RunStats& stats);

// Reads partitions p with p % consumers == index, from the beginning (`from_beginning`) or from the
// end, until `stop` is set, recording end-to-end latency unless `measure_latency` is false.
Status RunConsumer(const BenchOptions& options, int index, bool from_beginning,
                   bool measure_latency, const std::atomic<bool>& stop, RunStats& stats);

}  // namespace choreo::bench
