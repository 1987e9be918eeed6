// choreo-saga-bench output: a progress line a second on stderr, a summary (text or JSON) at the
// end, and the verdict of the exactly-once check.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/common/latency_histogram.h"
#include "choreo/saga/service.h"
#include "saga_bench_options.h"

namespace choreo::bench {

// What the end-of-run check found. A saga is "started" when its OrderCreated was published
// without error.
struct SagaCheck {
  uint64_t checked = 0;          // sagas started and checked
  uint64_t never_completed = 0;  // the order handler never saw the saga
  uint64_t completed_again = 0;  // the order handler saw it more than once
  uint64_t unknown = 0;          // the order handler saw a saga id the driver never started
  bool log_checked = false;
  std::string log_error = {};              // the log could not be read
  uint64_t log_records = 0;                // OrderCompleted records read back
  uint64_t log_missing = 0;                // started sagas without an OrderCompleted in the log
  uint64_t log_duplicated = 0;             // sagas with more than one
  uint64_t log_foreign = 0;                // records of no started saga
  std::vector<std::string> examples = {};  // a few offending saga ids, with what is wrong

  bool ok() const {
    return never_completed == 0 && completed_again == 0 && unknown == 0 && log_error.empty() &&
           log_missing == 0 && log_duplicated == 0 && log_foreign == 0;
  }
};

struct SagaSummary {
  double warmup_s = 0;
  double window_s = 0;
  uint64_t started = 0;  // publishes attempted, warmup and drain included
  uint64_t publish_errors = 0;
  uint64_t completed = 0;            // sagas completed, whole run
  uint64_t completed_in_window = 0;  // first completions inside the window
  // Steps committed by the three services inside the window (sampled at its start and end).
  uint64_t window_steps = 0;
  double window_steps_seconds = 0;
  // CPU seconds used inside the window by this process (services, driver, bench) and by a spawned
  // broker; -1 when unknown.
  double bench_cpu_s = -1;
  double broker_cpu_s = -1;
  LatencyHistogram latency;  // sagas scheduled in the window
  // From the scheduled start to the payment and the shipping handler (same sagas).
  std::array<LatencyHistogram, 2> stage_latency = {};
  uint64_t late_starts = 0;  // rate mode: sagas started more than 1 ms after their schedule
  int64_t max_lag_ns = 0;
  double drain_s = 0;  // from the end of the window until every saga had completed
  bool drained = true;
  std::array<saga::ServiceStats, 3> services = {};  // whole run, in Choreography's order
  uint64_t service_warnings = 0;
  int64_t broker_rss_bytes = -1;
  int64_t broker_peak_rss_bytes = -1;
  SagaCheck check;
};

// "[  3s] sagas 2001/s | steps 6003/s in 41 requests/s | in flight 12 | p50 .. | broker RSS .."
std::string SagaProgressLine(double elapsed_s, double sagas_per_s, double steps_per_s,
                             double requests_per_s, int64_t in_flight,
                             const LatencyHistogram& interval, int64_t broker_rss_bytes);

std::string SagaSummaryText(const SagaBenchOptions& options, const SagaSummary& summary);
std::string SagaSummaryJson(const SagaBenchOptions& options, const SagaSummary& summary);

}  // namespace choreo::bench
