#include "saga_run.h"

#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "bench/common/spawned_broker.h"
#include "choreo/saga/publisher.h"
#include "choreography.h"
#include "completion_ledger.h"
#include "driver.h"
#include "log_check.h"

namespace choreo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// How long the run waits for the last sagas after the window without any completing.
constexpr auto kDrainPatience = std::chrono::seconds(30);
constexpr size_t kMaxExamples = 5;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

Clock::duration FromSeconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

struct StepTotals {
  uint64_t steps = 0;
  uint64_t requests = 0;
  Clock::time_point at;
  double bench_cpu_s = -1;   // this process: the services, the driver, the bench itself
  double broker_cpu_s = -1;  // a spawned broker
};

StepTotals Totals(const Choreography& choreography, pid_t broker_pid = -1) {
  StepTotals totals{.at = Clock::now(),
                    .bench_cpu_s = ProcessCpuSeconds(getpid()),
                    .broker_cpu_s = broker_pid > 0 ? ProcessCpuSeconds(broker_pid) : -1};
  for (const saga::ServiceStats& s : choreography.Stats()) {
    totals.steps += s.steps_committed;
    totals.requests += s.step_requests;
  }
  return totals;
}

// Once a second, a progress line and an RSS sample; also the step totals at the window's edges.
class Monitor {
 public:
  Monitor(const SagaBenchOptions& options, const Choreography& choreography,
          CompletionLedger& ledger, const SagaDriver& driver, pid_t broker_pid, SagaSummary& s)
      : options_(options),
        choreography_(choreography),
        ledger_(ledger),
        driver_(driver),
        broker_pid_(broker_pid),
        summary_(s),
        start_(Clock::now()),
        last_(Totals(choreography)),
        last_completed_(ledger.completed()) {}

  // Ticks until `until`, or until `done` returns true.
  template <typename Done>
  void Watch(Clock::time_point until, Done done) {
    while (Clock::now() < until && !done()) {
      std::this_thread::sleep_until(std::min({until, last_.at + std::chrono::seconds(1),
                                              Clock::now() + std::chrono::milliseconds(50)}));
      if (Clock::now() - last_.at >= std::chrono::seconds(1)) Tick();
    }
  }

  int64_t InFlight() const {
    return static_cast<int64_t>(driver_.started() - driver_.publish_errors() - ledger_.completed());
  }

 private:
  void Tick() {
    const StepTotals now = Totals(choreography_);
    const uint64_t completed = ledger_.completed();
    const double dt = Seconds(now.at - last_.at);
    const int64_t rss = broker_pid_ > 0 ? ProcessRssBytes(broker_pid_) : -1;
    summary_.broker_peak_rss_bytes = std::max(summary_.broker_peak_rss_bytes, rss);
    const LatencyHistogram interval = ledger_.TakeInterval();
    if (!options_.json) {
      std::cerr << SagaProgressLine(Seconds(now.at - start_), (completed - last_completed_) / dt,
                                    (now.steps - last_.steps) / dt,
                                    (now.requests - last_.requests) / dt, InFlight(), interval, rss)
                << "\n";
    }
    last_ = now;
    last_completed_ = completed;
  }

  const SagaBenchOptions& options_;
  const Choreography& choreography_;
  CompletionLedger& ledger_;
  const SagaDriver& driver_;
  const pid_t broker_pid_;
  SagaSummary& summary_;
  const Clock::time_point start_;
  StepTotals last_;
  uint64_t last_completed_;
};

// Every saga whose OrderCreated was published completed exactly once: in the order handler
// (`ledger`) and in the log (`log`, when read).
SagaCheck Check(const CompletionLedger& ledger, const SagaDriver& driver, const LogCounts* log) {
  SagaCheck check;
  check.unknown = ledger.unknown_completions();
  const uint64_t started = driver.started();
  auto example = [&](uint64_t seq, const std::string& what) {
    if (check.examples.size() < kMaxExamples) check.examples.push_back(SagaIdFor(seq) + " " + what);
  };
  for (uint64_t seq = 0; seq < started; ++seq) {
    const bool publish_failed = driver.PublishFailed(seq);
    const uint32_t in_log = log != nullptr ? log->per_saga[seq] : 1;
    if (in_log > 1) {
      ++check.log_duplicated;
      example(seq, absl::StrCat("in the log ", in_log, " times"));
    }
    if (publish_failed) continue;  // counted as a publish error; it may or may not have run
    ++check.checked;
    const uint32_t times = ledger.Count(seq);
    if (times == 0) {
      ++check.never_completed;
      example(seq, "never completed");
    } else if (times > 1) {
      ++check.completed_again;
      example(seq, absl::StrCat("completed ", times, " times"));
    }
    if (in_log == 0) {
      ++check.log_missing;
      example(seq, "not in the log");
    }
  }
  if (log != nullptr) {
    check.log_checked = true;
    check.log_records = log->records;
    check.log_foreign = log->foreign;
  }
  return check;
}

}  // namespace

Status RunSagaBench(const SagaBenchOptions& options, pid_t broker_pid, SagaSummary& summary) {
  saga::PublisherOptions publisher_options;
  publisher_options.client.broker = options.broker;
  publisher_options.client.client_id = options.run_id + "-driver";
  publisher_options.events.source = "storefront";
  publisher_options.events.topic_for_type = TopicNamingFor(options.run_id);
  Result<std::unique_ptr<saga::Publisher>> publisher = saga::Publisher::Create(publisher_options);
  if (!publisher.ok()) return publisher.status();

  CompletionLedger ledger;
  SagaDriver driver(**publisher, ledger, options.rate, options.max_in_flight);
  Result<std::unique_ptr<Choreography>> choreography =
      Choreography::Start({.broker = options.broker,
                           .run_id = options.run_id,
                           .workers = options.workers,
                           .partitions = options.partitions,
                           .on_completed =
                               [&ledger, &driver](std::string_view saga_id, int64_t scheduled_ns) {
                                 uint64_t seq = ~0ull;  // an id of no saga: counted as unknown
                                 (void)SagaSeqOf(saga_id, &seq);
                                 if (ledger.Complete(seq, scheduled_ns, SteadyNanos()) == 1)
                                   driver.Completed();
                               },
                           .on_stage =
                               [&ledger](int stage, int64_t scheduled_ns) {
                                 ledger.RecordStage(stage, scheduled_ns, SteadyNanos());
                               }});
  if (!choreography.ok()) return choreography.status();

  const Clock::time_point start = Clock::now();
  const Clock::time_point window_start = start + FromSeconds(options.warmup_s);
  const Clock::time_point window_end = window_start + FromSeconds(options.duration_s);
  ledger.SetWindow(SteadyNanos(window_start), SteadyNanos(window_end));
  std::thread driver_thread([&] { driver.Run(start, window_end); });

  Monitor monitor(options, **choreography, ledger, driver, broker_pid, summary);
  monitor.Watch(window_start, [] { return false; });
  const StepTotals at_start = Totals(**choreography, broker_pid);
  monitor.Watch(window_end, [] { return false; });
  const StepTotals at_end = Totals(**choreography, broker_pid);
  driver_thread.join();

  // Drain: every started saga completes, unless nothing completes for kDrainPatience.
  uint64_t last_completed = ledger.completed();
  Clock::time_point last_progress = Clock::now();
  summary.drained = true;
  monitor.Watch(Clock::time_point::max(), [&] {
    if (monitor.InFlight() <= 0) return true;
    if (ledger.completed() != last_completed) {
      last_completed = ledger.completed();
      last_progress = Clock::now();
    }
    if (Clock::now() - last_progress < kDrainPatience) return false;
    summary.drained = false;
    return true;
  });
  summary.drain_s = Seconds(Clock::now() - window_end);
  (*choreography)->Stop();
  (void)(*publisher)->Close(std::chrono::seconds(10));

  summary.warmup_s = options.warmup_s;
  summary.window_s = options.duration_s;
  summary.started = driver.started();
  summary.publish_errors = driver.publish_errors();
  summary.completed = ledger.completed();
  summary.completed_in_window = ledger.completed_in_window();
  summary.window_steps = at_end.steps - at_start.steps;
  summary.window_steps_seconds = Seconds(at_end.at - at_start.at);
  if (at_start.bench_cpu_s >= 0 && at_end.bench_cpu_s >= 0) {
    summary.bench_cpu_s = at_end.bench_cpu_s - at_start.bench_cpu_s;
  }
  if (at_start.broker_cpu_s >= 0 && at_end.broker_cpu_s >= 0) {
    summary.broker_cpu_s = at_end.broker_cpu_s - at_start.broker_cpu_s;
  }
  summary.latency = ledger.WindowLatency();
  summary.stage_latency = ledger.StageLatency();
  summary.late_starts = driver.late_starts();
  summary.max_lag_ns = driver.max_lag_ns();
  summary.services = (*choreography)->Stats();
  summary.service_warnings = (*choreography)->warnings();

  std::optional<LogCounts> log;
  std::string log_error;
  if (options.verify_log) {
    Result<LogCounts> counted =
        CountCompletedInLog(options.broker, EventTopics(options.run_id).back(), summary.started);
    if (counted.ok()) {
      log = std::move(counted).value();
    } else {
      log_error = counted.status().ToString();
    }
  }
  summary.check = Check(ledger, driver, log ? &*log : nullptr);
  summary.check.log_error = log_error;
  return OkStatus();
}

}  // namespace choreo::bench
