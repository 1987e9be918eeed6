#include "bench/common/latency_report.h"

#include <absl/strings/str_format.h>

namespace choreo::bench {

double Ms(int64_t nanos) {
  return static_cast<double>(nanos) / 1e6;
}

double PerSecond(int64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

std::string LatencyText(const LatencyHistogram& l) {
  return absl::StrFormat(
      "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d samples)",
      Ms(l.PercentileNanos(0.5)), Ms(l.PercentileNanos(0.9)), Ms(l.PercentileNanos(0.99)),
      Ms(l.PercentileNanos(0.999)), Ms(l.max_nanos()), l.count());
}

std::string LatencyJson(const LatencyHistogram& l) {
  return absl::StrFormat(
      R"({"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f,"samples":%d})",
      Ms(l.PercentileNanos(0.5)), Ms(l.PercentileNanos(0.9)), Ms(l.PercentileNanos(0.99)),
      Ms(l.PercentileNanos(0.999)), Ms(l.max_nanos()), l.count());
}

std::string LatencyProgress(const LatencyHistogram& l) {
  if (l.count() == 0) return "";
  return absl::StrFormat(" | p50 %.2f ms p99 %.2f ms", Ms(l.PercentileNanos(0.5)),
                         Ms(l.PercentileNanos(0.99)));
}

}  // namespace choreo::bench
