#include "report.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "bench/common/latency_report.h"

namespace choreo::bench {
namespace {

double Mb(double bytes) {
  return bytes / 1e6;
}

}  // namespace

std::string ProgressLine(double elapsed_s, double produce_rate, double produce_mbps,
                         double consume_rate, double consume_mbps, const LatencyHistogram& interval,
                         int64_t broker_rss_bytes) {
  std::string line =
      absl::StrFormat("[%4.0fs] produce %10.0f rec/s %8.1f MB/s | consume %10.0f rec/s %8.1f MB/s",
                      elapsed_s, produce_rate, produce_mbps, consume_rate, consume_mbps);
  line += LatencyProgress(interval);
  if (broker_rss_bytes > 0)
    absl::StrAppendFormat(&line, " | broker RSS %.0f MB", Mb(broker_rss_bytes));
  return line;
}

std::string SummaryText(const BenchOptions& o, const Summary& s) {
  std::string out;
  absl::StrAppendFormat(
      &out,
      "choreo-bench: topic %s, %u partitions, %d producer(s), %d consumer(s), "
      "%d-byte values, %s, fsync=%s\n",
      o.topic, o.partitions, o.producers, o.consumers, o.record_bytes,
      o.key_cardinality > 0 ? absl::StrCat(o.key_cardinality, " keys") : "no keys",
      o.fsync_label.empty() ? "unknown" : o.fsync_label);
  if (o.envelope) {
    absl::StrAppendFormat(&out,
                          "saga envelope on every record (%d events per saga), event index %s\n",
                          o.saga_events, o.event_index.empty() ? "broker default" : o.event_index);
  }
  absl::StrAppendFormat(&out, "produce: %d records in %.2f s = %.0f rec/s, %.1f MB/s (%d errors)\n",
                        s.produced, s.produce_seconds, PerSecond(s.produced, s.produce_seconds),
                        Mb(PerSecond(s.produced_bytes, s.produce_seconds)), s.produce_errors);
  absl::StrAppendFormat(
      &out, "records: %.0f bytes each (key + value + headers) = %.1f MB/s produced\n",
      s.record_bytes, Mb(PerSecond(s.produced, s.produce_seconds) * s.record_bytes));
  if (s.broker_produce_cpu_seconds >= 0 && s.produced > 0) {
    absl::StrAppendFormat(&out, "broker CPU while producing: %.2f cores, %.2f us per record\n",
                          s.broker_produce_cpu_seconds / s.produce_seconds,
                          1e6 * s.broker_produce_cpu_seconds / s.produced);
  }
  absl::StrAppendFormat(&out, "consume: %d records in %.2f s = %.0f rec/s, %.1f MB/s (%d errors)\n",
                        s.consumed, s.consume_seconds, PerSecond(s.consumed, s.consume_seconds),
                        Mb(PerSecond(s.consumed_bytes, s.consume_seconds)), s.consume_errors);
  if (s.latency.count() > 0)
    absl::StrAppend(&out, "end-to-end latency: ", LatencyText(s.latency), "\n");
  if (s.ack_latency.count() > 0)
    absl::StrAppend(&out, "produce send -> ack: ", LatencyText(s.ack_latency), "\n");
  if (!s.broker_hops.empty())
    absl::StrAppend(&out, "where the time goes in the broker:\n", BrokerHopsTable(s.broker_hops));
  if (s.broker_rss_bytes > 0) {
    absl::StrAppendFormat(&out, "broker RSS: %.1f MB at end, %.1f MB peak\n",
                          Mb(s.broker_rss_bytes), Mb(s.broker_peak_rss_bytes));
  }
  if (s.ceiling_records_per_second) {
    const double produce_rate = PerSecond(s.produced, s.produce_seconds);
    absl::StrAppendFormat(&out, "storage ceiling: %.0f rec/s; broker produce = %.1f%% of ceiling\n",
                          *s.ceiling_records_per_second,
                          100.0 * produce_rate / *s.ceiling_records_per_second);
  }
  return out;
}

std::string SummaryJson(const BenchOptions& o, const Summary& s) {
  std::string out = absl::StrFormat(
      R"({"topic":"%s","partitions":%u,"producers":%d,"consumers":%d,"record_bytes":%d,)"
      R"("key_cardinality":%d,"fsync":"%s",)"
      R"("produced":%d,"produce_seconds":%.3f,"produce_records_per_second":%.0f,"produce_mb_per_second":%.2f,"produce_errors":%d,)"
      R"("consumed":%d,"consume_seconds":%.3f,"consume_records_per_second":%.0f,"consume_mb_per_second":%.2f,"consume_errors":%d,)"
      R"("latency_ms":%s,"broker_rss_bytes":%d,"broker_peak_rss_bytes":%d)",
      o.topic, o.partitions, o.producers, o.consumers, o.record_bytes, o.key_cardinality,
      o.fsync_label.empty() ? "unknown" : o.fsync_label, s.produced, s.produce_seconds,
      PerSecond(s.produced, s.produce_seconds), Mb(PerSecond(s.produced_bytes, s.produce_seconds)),
      s.produce_errors, s.consumed, s.consume_seconds, PerSecond(s.consumed, s.consume_seconds),
      Mb(PerSecond(s.consumed_bytes, s.consume_seconds)), s.consume_errors, LatencyJson(s.latency),
      s.broker_rss_bytes, s.broker_peak_rss_bytes);
  absl::StrAppendFormat(
      &out,
      R"(,"envelope":%s,"event_index":"%s","record_bytes":%.1f,"produce_record_mb_per_second":%.2f,)"
      R"("broker_produce_cpu_seconds":%.3f)",
      o.envelope ? "true" : "false", o.event_index.empty() ? "default" : o.event_index,
      s.record_bytes, Mb(PerSecond(s.produced, s.produce_seconds) * s.record_bytes),
      s.broker_produce_cpu_seconds);
  if (s.ceiling_records_per_second) {
    absl::StrAppendFormat(&out, R"(,"ceiling_records_per_second":%.0f)",
                          *s.ceiling_records_per_second);
  }
  out += "}\n";
  return out;
}

}  // namespace choreo::bench
