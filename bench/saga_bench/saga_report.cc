#include "saga_report.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "bench/common/latency_report.h"
#include "choreography.h"

namespace choreo::bench {
namespace {

uint64_t Handled(const saga::ServiceStats& s) {
  uint64_t handled = 0;
  for (const auto& [type, counters] : s.by_type)
    handled += counters.handled;
  return handled;
}

uint64_t Sum(const saga::ServiceStats& s, uint64_t saga::EventTypeStats::*field) {
  uint64_t sum = 0;
  for (const auto& [type, counters] : s.by_type)
    sum += counters.*field;
  return sum;
}

double Ratio(uint64_t a, uint64_t b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0;
}

std::string RateLabel(const SagaBenchOptions& o) {
  return o.rate > 0 ? absl::StrFormat("rate %.0f sagas/s", o.rate)
                    : absl::StrFormat("rate unlimited (%d in flight)", o.max_in_flight);
}

std::string CheckText(const SagaCheck& c) {
  if (c.ok()) {
    std::string out = absl::StrFormat("check: OK, all %d sagas completed exactly once", c.checked);
    if (c.log_checked) {
      absl::StrAppendFormat(&out, "; the log holds %d OrderCompleted, one per saga", c.log_records);
    }
    return out + "\n";
  }
  std::string out = "!!! CHECK FAILED: the sagas did not all complete exactly once !!!\n";
  absl::StrAppendFormat(&out,
                        "!!! handler: %d of %d sagas never completed, %d completed more than "
                        "once, %d completions of unknown sagas\n",
                        c.never_completed, c.checked, c.completed_again, c.unknown);
  if (!c.log_error.empty()) {
    absl::StrAppend(&out, "!!! log: not checked: ", c.log_error, "\n");
  } else if (c.log_checked) {
    absl::StrAppendFormat(&out,
                          "!!! log: %d OrderCompleted read; %d sagas missing, %d duplicated, %d "
                          "records of no started saga\n",
                          c.log_records, c.log_missing, c.log_duplicated, c.log_foreign);
  }
  if (!c.examples.empty())
    absl::StrAppend(&out, "!!! e.g. ", absl::StrJoin(c.examples, ", "), "\n");
  return out;
}

}  // namespace

std::string SagaProgressLine(double elapsed_s, double sagas_per_s, double steps_per_s,
                             double requests_per_s, int64_t in_flight,
                             const LatencyHistogram& interval, int64_t broker_rss_bytes) {
  std::string line =
      absl::StrFormat("[%4.0fs] sagas %8.0f/s | steps %8.0f/s in %6.0f requests/s | in flight %6d",
                      elapsed_s, sagas_per_s, steps_per_s, requests_per_s, in_flight);
  line += LatencyProgress(interval);
  if (broker_rss_bytes > 0) {
    absl::StrAppendFormat(&line, " | broker RSS %.0f MB",
                          static_cast<double>(broker_rss_bytes) / 1e6);
  }
  return line;
}

std::string SagaSummaryText(const SagaBenchOptions& o, const SagaSummary& s) {
  std::string out;
  absl::StrAppendFormat(&out,
                        "choreo-saga-bench: run %s, %u partitions per topic, %u workers per "
                        "service, %s, fsync=%s\n",
                        o.run_id, o.partitions, o.workers, RateLabel(o),
                        o.fsync_label.empty() ? "unknown" : o.fsync_label);
  absl::StrAppendFormat(&out, "window: %.2f s after a %.1f s warmup\n", s.window_s, s.warmup_s);
  absl::StrAppendFormat(
      &out,
      "sagas: %d completed in the window = %.0f sagas/s (started %d in all, %d publish errors)\n",
      s.completed_in_window, PerSecond(s.completed_in_window, s.window_s), s.started,
      s.publish_errors);
  absl::StrAppendFormat(
      &out, "saga steps: %d committed in the window = %.0f steps/s (%.0f = 3 x sagas/s)\n",
      s.window_steps, PerSecond(s.window_steps, s.window_steps_seconds),
      3 * PerSecond(s.completed_in_window, s.window_s));
  if (s.bench_cpu_s >= 0 && s.window_steps > 0) {
    const double steps = static_cast<double>(s.window_steps);
    absl::StrAppendFormat(&out, "CPU in the window: this process %.2f cores, %.1f us per step",
                          s.bench_cpu_s / s.window_steps_seconds, 1e6 * s.bench_cpu_s / steps);
    if (s.broker_cpu_s >= 0) {
      absl::StrAppendFormat(&out, "; broker %.2f cores, %.1f us per step",
                            s.broker_cpu_s / s.window_steps_seconds, 1e6 * s.broker_cpu_s / steps);
    }
    out += "\n";
  }
  if (s.latency.count() > 0) {
    absl::StrAppend(&out, "completion latency: ", LatencyText(s.latency), "\n");
    absl::StrAppendFormat(
        &out,
        "  time to each handler, p50 / p99: payment %.2f / %.2f ms, shipping "
        "%.2f / %.2f ms, order %.2f / %.2f ms\n",
        Ms(s.stage_latency[0].PercentileNanos(0.5)), Ms(s.stage_latency[0].PercentileNanos(0.99)),
        Ms(s.stage_latency[1].PercentileNanos(0.5)), Ms(s.stage_latency[1].PercentileNanos(0.99)),
        Ms(s.latency.PercentileNanos(0.5)), Ms(s.latency.PercentileNanos(0.99)));
  }
  absl::StrAppendFormat(&out, "%-9s %10s %16s %14s %14s %10s %8s\n", "service", "handled",
                        "steps_committed", "step_requests", "steps/request", "published", "failed");
  for (size_t i = 0; i < s.services.size(); ++i) {
    const saga::ServiceStats& st = s.services[i];
    absl::StrAppendFormat(&out, "%-9s %10d %16d %14d %14.1f %10d %8d\n",
                          Choreography::kServiceNames[i], Handled(st), st.steps_committed,
                          st.step_requests, Ratio(st.steps_committed, st.step_requests),
                          st.events_published, Sum(st, &saga::EventTypeStats::failed));
  }
  if (o.rate > 0) {
    absl::StrAppendFormat(&out, "driver: %d sagas started more than 1 ms late, max lag %.2f ms\n",
                          s.late_starts, Ms(s.max_lag_ns));
  }
  absl::StrAppendFormat(&out, "drain: %.2f s after the window%s\n", s.drain_s,
                        s.drained ? "" : " (GAVE UP: no progress for 30 s)");
  if (s.service_warnings > 0) {
    absl::StrAppendFormat(&out, "services logged %d warnings (above, on stderr)\n",
                          s.service_warnings);
  }
  if (s.broker_rss_bytes > 0) {
    absl::StrAppendFormat(&out, "broker RSS: %.1f MB at end, %.1f MB peak\n",
                          static_cast<double>(s.broker_rss_bytes) / 1e6,
                          static_cast<double>(s.broker_peak_rss_bytes) / 1e6);
  }
  out += CheckText(s.check);
  return out;
}

std::string SagaSummaryJson(const SagaBenchOptions& o, const SagaSummary& s) {
  std::string services;
  for (size_t i = 0; i < s.services.size(); ++i) {
    const saga::ServiceStats& st = s.services[i];
    absl::StrAppendFormat(
        &services,
        R"(%s"%s":{"handled":%d,"steps_committed":%d,"step_requests":%d,"steps_per_request":%.2f,)"
        R"("events_published":%d,"failed":%d,"dead_lettered":%d})",
        i == 0 ? "" : ",", Choreography::kServiceNames[i], Handled(st), st.steps_committed,
        st.step_requests, Ratio(st.steps_committed, st.step_requests), st.events_published,
        Sum(st, &saga::EventTypeStats::failed), Sum(st, &saga::EventTypeStats::dead_lettered));
  }
  const SagaCheck& c = s.check;
  return absl::StrFormat(
      R"({"run_id":"%s","partitions":%u,"workers":%u,"rate":%.0f,"max_in_flight":%d,"fsync":"%s",)"
      R"("warmup_seconds":%.3f,"window_seconds":%.3f,"started":%d,"publish_errors":%d,)"
      R"("completed":%d,"completed_in_window":%d,"sagas_per_second":%.1f,)"
      R"("window_steps":%d,"steps_per_second":%.1f,"latency_ms":%s,)"
      R"("payment_handler_latency_ms":%s,"shipping_handler_latency_ms":%s,"late_starts":%d,)"
      R"("bench_cpu_seconds":%.3f,"broker_cpu_seconds":%.3f,)"
      R"("max_lag_ms":%.3f,"drain_seconds":%.3f,"drained":%s,"services":{%s},"service_warnings":%d,)"
      R"("broker_rss_bytes":%d,"broker_peak_rss_bytes":%d,)"
      R"("check":{"ok":%s,"checked":%d,"never_completed":%d,"completed_again":%d,"unknown":%d,)"
      R"("log_checked":%s,"log_records":%d,"log_missing":%d,"log_duplicated":%d,"log_foreign":%d}})"
      "\n",
      o.run_id, o.partitions, o.workers, o.rate, o.max_in_flight,
      o.fsync_label.empty() ? "unknown" : o.fsync_label, s.warmup_s, s.window_s, s.started,
      s.publish_errors, s.completed, s.completed_in_window,
      PerSecond(s.completed_in_window, s.window_s), s.window_steps,
      PerSecond(s.window_steps, s.window_steps_seconds), LatencyJson(s.latency),
      LatencyJson(s.stage_latency[0]), LatencyJson(s.stage_latency[1]), s.late_starts,
      s.bench_cpu_s, s.broker_cpu_s, Ms(s.max_lag_ns), s.drain_s, s.drained ? "true" : "false",
      services, s.service_warnings, s.broker_rss_bytes, s.broker_peak_rss_bytes,
      c.ok() ? "true" : "false", c.checked, c.never_completed, c.completed_again, c.unknown,
      c.log_checked ? "true" : "false", c.log_records, c.log_missing, c.log_duplicated,
      c.log_foreign);
}

}  // namespace choreo::bench
