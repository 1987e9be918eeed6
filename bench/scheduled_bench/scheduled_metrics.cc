#include "bench/scheduled_bench/scheduled_metrics.h"

#include <absl/strings/str_format.h>

#include <cmath>

namespace choreo::bench {

absl::StatusOr<ScheduledMetrics> ScrapeScheduledMetrics(const std::string& http_address) {
  absl::StatusOr<std::string> body = HttpGetBody(http_address, "/metrics");
  if (!body.ok()) return body.status();
  ScheduledMetrics m;
  m.lateness = ParseHistogram(*body, "choreo_scheduled_delivery_lateness_seconds");
  m.delivered = ParseSample(*body, "choreo_scheduled_events_delivered_total");
  m.late = ParseSample(*body, "choreo_scheduled_events_delivered_late_total");
  m.pending = ParseSample(*body, "choreo_scheduled_events_pending");
  if (m.lateness.cumulative.empty() || m.delivered < 0 || m.pending < 0) {
    return absl::NotFoundError("no scheduled-event metrics in the broker's /metrics");
  }
  return m;
}

ScheduledMetrics Subtract(const ScheduledMetrics& after, const ScheduledMetrics& before) {
  return ScheduledMetrics{.lateness = Subtract(after.lateness, before.lateness),
                          .delivered = after.delivered - before.delivered,
                          .late = after.late - before.late,
                          .pending = after.pending};
}

std::string BrokerLatenessText(const ScheduledMetrics& delta) {
  const HopHistogram& h = delta.lateness;
  // The upper bound of the highest non-empty bucket.
  double max_bound = 0;
  uint64_t below = 0;
  for (const auto& [bound, count] : h.cumulative) {
    if (count > below) max_bound = bound;
    below = count;
  }
  return absl::StrFormat(
      "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (interpolated in the buckets), max %s, "
      "mean %.1f ms; %d delivered, %d late (> 100 ms)",
      1e3 * h.QuantileSeconds(0.5), 1e3 * h.QuantileSeconds(0.9), 1e3 * h.QuantileSeconds(0.99),
      1e3 * h.QuantileSeconds(0.999),
      std::isinf(max_bound) ? std::string("> 600 s") : absl::StrFormat("<= %g ms", 1e3 * max_bound),
      h.count > 0 ? 1e3 * h.sum_seconds / static_cast<double>(h.count) : 0.0,
      static_cast<int64_t>(delta.delivered), static_cast<int64_t>(delta.late));
}

}  // namespace choreo::bench
