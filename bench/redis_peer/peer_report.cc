#include "bench/redis_peer/peer_report.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "bench/common/latency_report.h"

namespace choreo::bench {

std::string SummaryText(const PeerOptions& o, const ServerFigures& server, const PeerSummary& s) {
  std::string out = absl::StrFormat(
      "choreo-redis-peer: redis %s at %s, %u stream(s), %d producer(s), %d consumer(s), "
      "%d-byte values, %s, no trimming, XADD one at a time, XREAD BLOCK %d COUNT %d\n",
      server.version, o.redis, o.partitions, o.producers, o.consumers, o.record_bytes,
      server.persistence, o.block_ms, o.read_count);
  const double produce_rate = PerSecond(s.produced, s.produce_seconds);
  absl::StrAppendFormat(&out, "produce: %d records in %.2f s = %.0f rec/s, %.1f MB/s (%d errors)\n",
                        s.produced, s.produce_seconds, produce_rate,
                        produce_rate * o.record_bytes / 1e6, s.produce_errors);
  if (o.rate > 0) {
    absl::StrAppendFormat(&out, "pacing: %d records started more than 1 ms after their due time\n",
                          s.sent_late);
  }
  if (server.cpu_seconds >= 0 && s.produced > 0) {
    absl::StrAppendFormat(&out, "server CPU while producing: %.2f cores, %.2f us per record\n",
                          server.cpu_seconds / s.produce_seconds,
                          1e6 * server.cpu_seconds / s.produced);
  }
  absl::StrAppendFormat(&out, "consume: %d records in %.2f s = %.0f rec/s, %.1f MB/s (%d errors)\n",
                        s.consumed, s.consume_seconds, PerSecond(s.consumed, s.consume_seconds),
                        PerSecond(s.consumed_bytes, s.consume_seconds) / 1e6, s.consume_errors);
  if (s.latency.count() > 0)
    absl::StrAppend(&out, "end-to-end latency: ", LatencyText(s.latency), "\n");
  if (server.rss_bytes > 0)
    absl::StrAppendFormat(&out, "server RSS: %.1f MB at end\n", server.rss_bytes / 1e6);
  if (server.aof_rewrites >= 0)
    absl::StrAppendFormat(&out, "AOF rewrites during the run: %.0f\n", server.aof_rewrites);
  return out;
}

std::string SummaryJson(const PeerOptions& o, const ServerFigures& server, const PeerSummary& s) {
  return absl::StrFormat(
      R"({"system":"redis","redis_version":"%s","persistence":"%s","partitions":%u,)"
      R"("producers":%d,"consumers":%d,"record_bytes":%d,)"
      R"("produced":%d,"produce_seconds":%.3f,"produce_records_per_second":%.0f,"produce_errors":%d,)"
      R"("sent_late":%d,"server_produce_cpu_seconds":%.3f,)"
      R"("consumed":%d,"consume_seconds":%.3f,"consume_records_per_second":%.0f,"consume_errors":%d,)"
      R"("latency_ms":%s,"server_rss_bytes":%.0f,"aof_rewrites":%.0f})"
      "\n",
      server.version, server.persistence, o.partitions, o.producers, o.consumers, o.record_bytes,
      s.produced, s.produce_seconds, PerSecond(s.produced, s.produce_seconds), s.produce_errors,
      s.sent_late, server.cpu_seconds, s.consumed, s.consume_seconds,
      PerSecond(s.consumed, s.consume_seconds), s.consume_errors, LatencyJson(s.latency),
      server.rss_bytes, server.aof_rewrites);
}

}  // namespace choreo::bench
