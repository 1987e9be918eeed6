// Formatting shared by the benchmark tools' reports: latency percentiles as text, as a JSON
// object and as the short form of a progress line, from a LatencyHistogram.
#pragma once

#include <cstdint>
#include <string>

#include "bench/common/latency_histogram.h"

namespace choreo::bench {

// Nanoseconds as milliseconds.
double Ms(int64_t nanos);
// `n` per second over `seconds`; 0 when `seconds` is not positive.
double PerSecond(int64_t n, double seconds);

// "p50 0.81 ms, p90 1.14 ms, p99 3.20 ms, p99.9 8.70 ms, max 30.97 ms (480000 samples)".
std::string LatencyText(const LatencyHistogram& latency);
// {"p50":0.810,"p90":1.140,"p99":3.200,"p999":8.700,"max":30.970,"samples":480000} (milliseconds).
std::string LatencyJson(const LatencyHistogram& latency);
// " | p50 0.81 ms p99 3.20 ms" for a progress line; empty when there are no samples.
std::string LatencyProgress(const LatencyHistogram& latency);

}  // namespace choreo::bench
