#include "bench/scheduled_bench/pending_run.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "bench/common/latency_report.h"
#include "bench/common/spawned_broker.h"
#include "bench/scheduled_bench/scheduled_metrics.h"
#include "bench/scheduled_bench/scheduled_reader.h"
#include "bench/scheduled_bench/schedulers.h"
#include "choreo/client/admin.h"

namespace choreo::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Waits until `pid` used under 5% of a core for two seconds in a row (flushes and compactions
// done), at most `max_s`.
void WaitIdle(pid_t pid, double max_s) {
  const auto start = Clock::now();
  int quiet = 0;
  double last = ProcessCpuSeconds(pid);
  while (quiet < 2 && SecondsSince(start) < max_s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double now = ProcessCpuSeconds(pid);
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    last = now;
  }
}

double Pending(const SpawnedBroker& broker) {
  absl::StatusOr<ScheduledMetrics> m = ScrapeScheduledMetrics(broker.http_address());
  return m.ok() ? m->pending : -1;
}

// "| 100000 | 41.2 MB | 12.0 MB | 100000 | 5230/s | p50 .. p99 .. |"
std::string SampleRow(int64_t scheduled, const SpawnedBroker& broker, const std::string& data_dir,
                      const ScheduleStats* segment) {
  return absl::StrFormat(
      "| %d | %.1f MB | %.1f MB | %.0f | %s | %s |\n", scheduled,
      ProcessRssBytes(broker.pid()) / 1e6, DirectoryBytes(data_dir) / 1e6, Pending(broker),
      segment ? absl::StrFormat("%.0f/s", PerSecond(segment->scheduled, segment->seconds)) : "",
      segment ? absl::StrFormat("p50 %.2f ms, p99 %.2f ms",
                                Ms(segment->call_latency.PercentileNanos(0.5)),
                                Ms(segment->call_latency.PercentileNanos(0.99)))
              : "");
}

struct Started {
  std::unique_ptr<SpawnedBroker> broker;
  double seconds = 0;  // from fork to listening
};

absl::StatusOr<Started> StartBroker(const ScheduledBenchOptions& options,
                                    const std::string& data_dir) {
  const auto start = Clock::now();
  auto broker = SpawnedBroker::Start(options.choreod, {"--fsync=" + options.fsync}, data_dir);
  if (!broker.ok()) return broker.status();
  return Started{.broker = std::move(broker).value(), .seconds = SecondsSince(start)};
}

// Schedules `count` records (seq from `first`) all due at one moment, far enough ahead for the
// schedulers to finish first (at `rate`, the pending phase's), and times their delivery with
// `pending` others still waiting.
bool RunBurst(const ScheduledBenchOptions& options, const SpawnedBroker& broker,
              const std::string& topic, int64_t first, int64_t count, double rate,
              std::ostream& out) {
  auto schedulers = Schedulers::Create(broker.address(), options.schedulers, options.record_size,
                                       absl::StrCat("burst-", getpid(), "-"));
  if (!schedulers.ok()) {
    std::cerr << "error: " << schedulers.status().ToString() << "\n";
    return false;
  }
  ScheduledReader reader(broker.address(), topic, options.partitions, first, first + count);
  if (absl::Status s = reader.Start(); !s.ok()) {
    std::cerr << "error: " << s.ToString() << "\n";
    return false;
  }
  const int64_t lead_ms =
      std::llround(1000 * (1.5 * static_cast<double>(count) / std::max(rate, 100.0) + 3));
  const int64_t due_ms = WallMs() + lead_ms;
  absl::StatusOr<ScheduledMetrics> before = ScrapeScheduledMetrics(broker.http_address());
  const ScheduleStats scheduled =
      (*schedulers)->Run(topic, first, first + count, 0, [due_ms](int64_t, int64_t) {
        return due_ms;
      });
  const int64_t scheduled_by_ms = WallMs();
  // The broker's side: when its delivered counter covers the burst.
  double broker_done_s = -1;
  while (before.ok() && WallMs() < due_ms + 120'000) {
    absl::StatusOr<ScheduledMetrics> now = ScrapeScheduledMetrics(broker.http_address());
    if (now.ok() && now->delivered - before->delivered >= static_cast<double>(count)) {
      broker_done_s = static_cast<double>(WallMs() - due_ms) / 1000;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  reader.WaitForAll(30);
  reader.Stop();
  absl::StatusOr<ScheduledMetrics> after = ScrapeScheduledMetrics(broker.http_address());
  const ArrivalReport a = reader.Report();
  out << absl::StrFormat(
      "burst: %d records due at one moment, scheduled in %.1f s (%d failed%s%s), %s the due "
      "time\n",
      scheduled.scheduled, scheduled.seconds, scheduled.failed,
      scheduled.first_error.empty() ? "" : ": ", scheduled.first_error,
      scheduled_by_ms <= due_ms
          ? absl::StrFormat("%.1f s before", (due_ms - scheduled_by_ms) / 1e3)
          : absl::StrFormat("%.1f s AFTER", (scheduled_by_ms - due_ms) / 1e3));
  out << absl::StrFormat(
      "  all appended %.2f s after the due time (broker's delivered counter, polled every 50 "
      "ms) = %.0f/s; last one consumed %.2f s after it\n",
      broker_done_s, broker_done_s > 0 ? static_cast<double>(count) / broker_done_s : 0.0,
      a.last_arrival_ns > 0 ? static_cast<double>(a.last_arrival_ns / 1'000'000 - due_ms) / 1e3
                            : -1.0);
  out << absl::StrFormat(
      "  consumer lateness: %s\n  %d of %d received, %d missing, %d duplicates, %d unexpected\n",
      LatencyText(a.lateness), a.received, a.expected, a.missing, a.duplicates, a.unexpected);
  if (before.ok() && after.ok()) {
    out << "  broker lateness: " << BrokerLatenessText(Subtract(*after, *before)) << "\n";
  }
  return scheduled.failed == 0 && a.missing == 0 && a.duplicates == 0 && a.unexpected == 0 &&
         broker_done_s >= 0;
}

}  // namespace

bool RunPending(const ScheduledBenchOptions& options, std::ostream& out) {
  std::string data_dir =
      (std::filesystem::temp_directory_path() / "choreo-scheduled-bench-XXXXXX").string();
  if (mkdtemp(data_dir.data()) == nullptr) {
    std::cerr << "error: mkdtemp failed\n";
    return false;
  }
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove_dir{data_dir};

  absl::StatusOr<Started> started = StartBroker(options, data_dir);
  if (!started.ok()) {
    std::cerr << "error: starting choreod: " << started.status() << "\n";
    return false;
  }
  const double empty_start_s = started->seconds;
  std::unique_ptr<SpawnedBroker> broker = std::move(started->broker);
  const std::string topic = absl::StrCat("choreo-scheduled-", getpid());
  {
    auto admin = Admin::Connect({.broker = broker->address(), .client_id = "choreo-sched-bench"});
    Status created = admin.ok() ? (*admin)->CreateTopic(topic, {.partitions = options.partitions})
                                : admin.status();
    if (!created.ok()) {
      std::cerr << "error: creating topic " << topic << ": " << created.ToString() << "\n";
      return false;
    }
  }
  out << absl::StrFormat(
      "pending: %d records due in %.0f s (spread over %d s) by %d schedulers, %u partitions, "
      "%d-byte values; fsync=%s; choreod started in %.2f s on an empty directory\n",
      options.pending, options.far_s, options.pending / 1000, options.schedulers,
      options.partitions, options.record_size, options.fsync, empty_start_s);

  bool ok = true;
  double fill_rate = 0;
  {
    auto schedulers = Schedulers::Create(broker->address(), options.schedulers, options.record_size,
                                         absl::StrCat("far-", getpid(), "-"));
    if (!schedulers.ok()) {
      std::cerr << "error: " << schedulers.status().ToString() << "\n";
      return false;
    }
    out << "| pending | broker RSS | data dir | pending gauge | schedule rate | Schedule call |\n"
           "|---|---|---|---|---|---|\n"
        << SampleRow(0, *broker, data_dir, nullptr) << std::flush;
    const int64_t far_ms = WallMs() + std::llround(options.far_s * 1000);
    int64_t done = 0;
    double seconds = 0;
    for (double fraction : {0.1, 0.25, 0.5, 1.0}) {
      const int64_t target = std::llround(fraction * static_cast<double>(options.pending));
      if (target <= done) continue;
      ScheduleStats segment =
          (*schedulers)->Run(topic, done, target, 0, [far_ms](int64_t seq, int64_t) {
            return far_ms + seq;
          });
      if (segment.failed > 0) {
        std::cerr << "error: " << segment.failed << " schedules failed: " << segment.first_error
                  << "\n";
        ok = false;
      }
      seconds += segment.seconds;
      done = target;
      out << SampleRow(done, *broker, data_dir, &segment) << std::flush;
    }
    fill_rate = PerSecond(done, seconds);
  }
  WaitIdle(broker->pid(), 60);
  out << absl::StrFormat(
      "after the fill, broker idle: RSS %.1f MB, data dir %.1f MB (%.0f bytes per pending "
      "event); overall %.0f schedules/s\n",
      ProcessRssBytes(broker->pid()) / 1e6, DirectoryBytes(data_dir) / 1e6,
      static_cast<double>(DirectoryBytes(data_dir)) / static_cast<double>(options.pending),
      fill_rate);

  const auto stop_start = Clock::now();
  broker.reset();  // SIGTERM and wait; the data directory is ours and stays
  const double stop_s = SecondsSince(stop_start);
  started = StartBroker(options, data_dir);
  if (!started.ok()) {
    std::cerr << "error: restarting choreod: " << started.status() << "\n";
    return false;
  }
  broker = std::move(started->broker);
  const double pending_after = Pending(*broker);
  out << absl::StrFormat(
      "restart: stopped in %.2f s, started in %.2f s with %.0f pending (gauge; %d expected), "
      "RSS %.1f MB after start\n",
      stop_s, started->seconds, pending_after, options.pending,
      ProcessRssBytes(broker->pid()) / 1e6);
  if (pending_after != static_cast<double>(options.pending)) ok = false;

  if (options.burst > 0) {
    ok = RunBurst(options, *broker, topic, options.pending, options.burst, fill_rate, out) && ok;
    out << absl::StrFormat("after the burst: RSS %.1f MB, data dir %.1f MB, %.0f pending\n",
                           ProcessRssBytes(broker->pid()) / 1e6, DirectoryBytes(data_dir) / 1e6,
                           Pending(*broker));
  }
  return ok;
}

}  // namespace choreo::bench
