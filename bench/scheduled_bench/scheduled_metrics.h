// The broker's scheduled-event metrics, read from its /metrics (broker/scheduled/
// scheduled_delivery.h): the lateness histogram (due time to append, as the broker sees it), the
// delivered and late counters and the pending gauge.
#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "bench/common/broker_hops.h"

namespace choreo::bench {

struct ScheduledMetrics {
  HopHistogram lateness;  // choreo_scheduled_delivery_lateness_seconds
  double delivered = 0;   // choreo_scheduled_events_delivered_total
  double late = 0;        // choreo_scheduled_events_delivered_late_total
  double pending = -1;    // choreo_scheduled_events_pending (-1: absent)
};

absl::StatusOr<ScheduledMetrics> ScrapeScheduledMetrics(const std::string& http_address);
// The histogram and counters over an interval; pending is after's.
ScheduledMetrics Subtract(const ScheduledMetrics& after, const ScheduledMetrics& before);
// "p50 3.1 ms, p90 .., p99 .., p99.9 .. (interpolated in buckets), max <= 10 ms, 40000 delivered,
// 0 late (> 100 ms)".
std::string BrokerLatenessText(const ScheduledMetrics& delta);

}  // namespace choreo::bench
