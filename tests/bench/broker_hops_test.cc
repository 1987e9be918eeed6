// choreo-bench --trace reads the broker's per-hop histograms from /metrics: parsing, subtracting
// two scrapes and the interpolated quantiles.
#include "bench/common/broker_hops.h"

#include <gtest/gtest.h>

namespace choreo::bench {
namespace {

std::string Exposition(uint64_t in_10us, uint64_t in_20us, uint64_t above) {
  const uint64_t c1 = in_10us, c2 = in_10us + in_20us, c3 = c2 + above;
  return "# HELP choreo_hop_duration_seconds Time...\n"
         "# TYPE choreo_hop_duration_seconds histogram\n"
         "choreo_hop_duration_seconds_bucket{hop=\"fetch_read\",le=\"1e-05\"} " +
         std::to_string(c1) +
         "\n"
         "choreo_hop_duration_seconds_bucket{hop=\"fetch_read\",le=\"2e-05\"} " +
         std::to_string(c2) +
         "\n"
         "choreo_hop_duration_seconds_bucket{hop=\"fetch_read\",le=\"+Inf\"} " +
         std::to_string(c3) +
         "\n"
         "choreo_hop_duration_seconds_sum{hop=\"fetch_read\"} 0.5\n"
         "choreo_hop_duration_seconds_count{hop=\"fetch_read\"} " +
         std::to_string(c3) +
         "\n"
         "choreo_requests_total{api=\"fetch\"} 12\n";
}

TEST(BrokerHopsTest, ParsesOnlyTheHopFamily) {
  BrokerHops hops = ParseBrokerHops(Exposition(10, 30, 0));
  ASSERT_EQ(hops.size(), 1u);
  const HopHistogram& h = hops.at("fetch_read");
  ASSERT_EQ(h.cumulative.size(), 3u);
  EXPECT_DOUBLE_EQ(h.cumulative[0].first, 1e-05);
  EXPECT_EQ(h.cumulative[1].second, 40u);
  EXPECT_TRUE(std::isinf(h.cumulative[2].first));
  EXPECT_EQ(h.count, 40u);
  EXPECT_DOUBLE_EQ(h.sum_seconds, 0.5);
}

TEST(BrokerHopsTest, QuantilesInterpolateInsideTheBucket) {
  const HopHistogram h = ParseBrokerHops(Exposition(10, 30, 0)).at("fetch_read");
  // 10 samples in (0, 10us], 30 in (10us, 20us]: the median (rank 20) is a third into the second.
  EXPECT_NEAR(h.QuantileSeconds(0.5), 10e-6 + 10e-6 * (10.0 / 30.0), 1e-9);
  EXPECT_NEAR(h.QuantileSeconds(0.25), 10e-6, 1e-9);
  EXPECT_EQ(HopHistogram{}.QuantileSeconds(0.5), 0);
}

TEST(BrokerHopsTest, SamplesBeyondTheLastBoundReportThatBound) {
  const HopHistogram h = ParseBrokerHops(Exposition(1, 1, 8)).at("fetch_read");
  EXPECT_DOUBLE_EQ(h.QuantileSeconds(0.99), 2e-05);
}

TEST(BrokerHopsTest, SubtractGivesTheRunOnly) {
  BrokerHops delta =
      Subtract(ParseBrokerHops(Exposition(15, 40, 2)), ParseBrokerHops(Exposition(10, 30, 0)));
  const HopHistogram& h = delta.at("fetch_read");
  EXPECT_EQ(h.count, 17u);
  EXPECT_EQ(h.cumulative[0].second, 5u);
  EXPECT_EQ(h.cumulative[1].second, 15u);
  EXPECT_EQ(h.cumulative[2].second, 17u);
  EXPECT_NE(BrokerHopsTable(delta).find("| fetch_read | 17 |"), std::string::npos);
}

TEST(BrokerHopsTest, ParsesAnUnlabelledHistogramAndSamples) {
  const std::string exposition =
      "# TYPE choreo_scheduled_delivery_lateness_seconds histogram\n"
      "choreo_scheduled_delivery_lateness_seconds_bucket{le=\"0.001\"} 3\n"
      "choreo_scheduled_delivery_lateness_seconds_bucket{le=\"0.1\"} 9\n"
      "choreo_scheduled_delivery_lateness_seconds_bucket{le=\"+Inf\"} 10\n"
      "choreo_scheduled_delivery_lateness_seconds_sum 1.25\n"
      "choreo_scheduled_delivery_lateness_seconds_count 10\n"
      "choreo_scheduled_events_delivered_late_total 1\n"
      "choreo_scheduled_events_delivered_total 10\n"
      "choreo_scheduled_events_dropped_total{reason=\"rejected\"} 4\n";
  const HopHistogram h = ParseHistogram(exposition, "choreo_scheduled_delivery_lateness_seconds");
  ASSERT_EQ(h.cumulative.size(), 3u);
  EXPECT_DOUBLE_EQ(h.cumulative[1].first, 0.1);
  EXPECT_EQ(h.cumulative[2].second, 10u);
  EXPECT_EQ(h.count, 10u);
  EXPECT_DOUBLE_EQ(h.sum_seconds, 1.25);
  // A name that prefixes another one, and a labelled sample, are not taken for the one asked.
  EXPECT_EQ(ParseSample(exposition, "choreo_scheduled_events_delivered_total"), 10);
  EXPECT_EQ(ParseSample(exposition, "choreo_scheduled_events_dropped_total"), -1);
  EXPECT_EQ(ParseHistogram(exposition, "choreo_absent_seconds").count, 0u);

  HopHistogram before = h;
  before.cumulative[0].second = 1;
  before.count = 4;
  const HopHistogram delta = Subtract(h, before);
  EXPECT_EQ(delta.cumulative[0].second, 2u);
  EXPECT_EQ(delta.count, 6u);
}

}  // namespace
}  // namespace choreo::bench
