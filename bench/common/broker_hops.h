// Where a record's time goes inside the broker, read from its /metrics: the per-hop histograms
// of choreo_hop_duration_seconds, scraped before and after a run and subtracted, so a report can
// show each hop's percentiles over exactly that run (`choreo-bench --trace`).
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace choreo::bench {

// One hop's histogram: cumulative counts by upper bound (seconds), as Prometheus exposes them.
struct HopHistogram {
  std::vector<std::pair<double, uint64_t>> cumulative;  // ascending bounds; +Inf last
  double sum_seconds = 0;
  uint64_t count = 0;
  // The value below which `quantile` of the samples fall, interpolated linearly inside the
  // bucket (as Prometheus' histogram_quantile does); 0 without samples.
  double QuantileSeconds(double quantile) const;
};

using BrokerHops = std::map<std::string, HopHistogram>;  // by hop name

// GET http://`address``path` (address "host:port"); the body of a 200 answer, within 10 s.
absl::StatusOr<std::string> HttpGetBody(const std::string& address, const std::string& path);
// The choreo_hop_duration_seconds histograms of a Prometheus text exposition.
BrokerHops ParseBrokerHops(const std::string& exposition);
// The unlabelled histogram `family` of a Prometheus text exposition (e.g.
// "choreo_scheduled_delivery_lateness_seconds"); empty (count 0) when absent.
HopHistogram ParseHistogram(const std::string& exposition, const std::string& family);
// The value of the unlabelled sample `name` (a gauge or a counter); -1 when absent.
double ParseSample(const std::string& exposition, const std::string& name);
// after - before, bucket by bucket (`before` empty or of another shape: `after` as it is).
HopHistogram Subtract(const HopHistogram& after, const HopHistogram& before);
// Scrapes http://`http_address`/metrics and parses it.
absl::StatusOr<BrokerHops> ScrapeBrokerHops(const std::string& http_address);
// after - before, hop by hop (hops missing before count from zero).
BrokerHops Subtract(const BrokerHops& after, const BrokerHops& before);

// A markdown table: hop, samples, mean, p50, p90, p99 (microseconds), in the order of a record's
// way through the broker.
std::string BrokerHopsTable(const BrokerHops& hops);

}  // namespace choreo::bench
