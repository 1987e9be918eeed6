#include "bench/scheduled_bench/lateness_run.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include "bench/common/latency_report.h"
#include "bench/common/value_source.h"
#include "bench/scheduled_bench/scheduled_metrics.h"
#include "bench/scheduled_bench/scheduled_reader.h"
#include "bench/scheduled_bench/schedulers.h"
#include "choreo/client/admin.h"

namespace choreo::bench {
namespace {

// The background load: one producer sending --load_rate records/s of --load_record_size bytes
// through Producer::Send (batched, pipelined) until stopped.
class LoadProducer {
 public:
  LoadProducer(const ScheduledBenchOptions& options, std::string broker, std::string topic)
      : options_(options), broker_(std::move(broker)), topic_(std::move(topic)) {}
  ~LoadProducer() { Stop(); }

  absl::Status Start() {
    if (options_.load_rate <= 0) return absl::OkStatus();
    ProducerOptions producer_options{
        .client = {.broker = broker_, .client_id = "choreo-scheduled-bench-load"}};
    Result<std::unique_ptr<Producer>> producer = Producer::Create(producer_options);
    if (!producer.ok()) return absl::UnavailableError(producer.status().ToString());
    producer_ = std::move(producer).value();
    thread_ = std::thread([this] { Send(); });
    return absl::OkStatus();
  }

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (producer_) (void)producer_->Close(std::chrono::seconds(30));
    producer_.reset();
  }

  int64_t sent() const { return sent_.load(); }
  int64_t acked() const { return acked_.load(); }
  int64_t failed() const { return failed_.load(); }
  double seconds() const { return seconds_; }

 private:
  void Send() {
    ValueSource values(static_cast<size_t>(options_.load_record_size));
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; !stop_.load(std::memory_order_relaxed); ++i) {
      std::this_thread::sleep_until(start +
                                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::duration<double>(i / options_.load_rate)));
      producer_->Send(topic_,
                      Record{.key = absl::StrCat("k", i % 1000),
                             .value = std::string(values.Next()),
                             .headers = {},
                             .timestamp_ms = 0},
                      std::nullopt, [this](const Result<RecordMetadata>& result) {
                        (result.ok() ? acked_ : failed_).fetch_add(1, std::memory_order_relaxed);
                      });
      sent_.fetch_add(1, std::memory_order_relaxed);
    }
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const ScheduledBenchOptions& options_;
  const std::string broker_;
  const std::string topic_;
  std::unique_ptr<Producer> producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  std::atomic<int64_t> acked_{0};
  std::atomic<int64_t> failed_{0};
  double seconds_ = 0;
};

void PrintArrivals(const ArrivalReport& a, std::ostream& out) {
  out << absl::StrFormat(
      "consumer lateness (poll return - due time): %s\n"
      "  %d of %d received, %d missing, %d duplicates, %d unexpected, %d early, %d late "
      "(> 100 ms)\n",
      LatencyText(a.lateness), a.received, a.expected, a.missing, a.duplicates, a.unexpected,
      a.early, a.late);
}

}  // namespace

bool RunLateness(const ScheduledBenchOptions& options, const SpawnedBroker& broker,
                 std::ostream& out) {
  const std::string topic = absl::StrCat("choreo-scheduled-", getpid());
  const std::string load_topic = absl::StrCat("choreo-scheduled-load-", getpid());
  auto admin = Admin::Connect({.broker = broker.address(), .client_id = "choreo-scheduled-bench"});
  if (!admin.ok()) {
    std::cerr << "error: connecting: " << admin.status().ToString() << "\n";
    return false;
  }
  for (const auto& [name, partitions] :
       {std::pair{topic, options.partitions}, std::pair{load_topic, options.load_partitions}}) {
    if (Status s = (*admin)->CreateTopic(name, {.partitions = partitions}); !s.ok()) {
      std::cerr << "error: creating topic " << name << ": " << s.ToString() << "\n";
      return false;
    }
  }
  const int64_t total = std::llround(options.schedule_rate * options.duration_s);
  const int64_t delay_ms = std::llround(options.delay_s * 1000);
  out << absl::StrFormat(
      "lateness: %d records scheduled at %.0f/s for %.0f s by %d schedulers, each due %d ms after "
      "its Schedule call, %u partitions, %d-byte values; load %.0f records/s of %d bytes on %u "
      "partitions; fsync=%s\n",
      total, options.schedule_rate, options.duration_s, options.schedulers, delay_ms,
      options.partitions, options.record_size, options.load_rate, options.load_record_size,
      options.load_partitions, options.fsync);

  auto schedulers = Schedulers::Create(broker.address(), options.schedulers, options.record_size,
                                       absl::StrCat("lateness-", getpid(), "-"));
  ScheduledReader reader(broker.address(), topic, options.partitions, 0, total);
  LoadProducer load(options, broker.address(), load_topic);
  absl::Status started = schedulers.ok() ? reader.Start() : schedulers.status();
  if (started.ok()) started = load.Start();
  if (!started.ok()) {
    std::cerr << "error: " << started.ToString() << "\n";
    return false;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the load reaches its rate
  absl::StatusOr<ScheduledMetrics> before = ScrapeScheduledMetrics(broker.http_address());
  const double cpu_before = ProcessCpuSeconds(broker.pid());
  const auto cpu_start = std::chrono::steady_clock::now();

  const ScheduleStats scheduled =
      (*schedulers)
          ->Run(topic, 0, total, options.schedule_rate,
                [delay_ms](int64_t, int64_t now_ms) { return now_ms + delay_ms; });
  // Keep the load on until the last record is due.
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms + 200));
  load.Stop();
  const double cpu_s = ProcessCpuSeconds(broker.pid()) - cpu_before;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - cpu_start).count();
  reader.WaitForAll(options.drain_s);
  reader.Stop();
  absl::StatusOr<ScheduledMetrics> after = ScrapeScheduledMetrics(broker.http_address());
  const ArrivalReport arrivals = reader.Report();

  out << absl::StrFormat(
      "scheduled: %d in %.1f s = %.0f/s (%d failed%s%s, %d already scheduled); Schedule call %s\n",
      scheduled.scheduled, scheduled.seconds, PerSecond(scheduled.scheduled, scheduled.seconds),
      scheduled.failed, scheduled.first_error.empty() ? "" : ": ", scheduled.first_error,
      scheduled.already_scheduled, LatencyText(scheduled.call_latency));
  out << absl::StrFormat("load: %d sent in %.1f s = %.0f/s, %d acknowledged, %d failed\n",
                         load.sent(), load.seconds(), PerSecond(load.sent(), load.seconds()),
                         load.acked(), load.failed());
  out << absl::StrFormat("broker: %.2f cores over the run, RSS %.0f MB at end\n", cpu_s / wall_s,
                         ProcessRssBytes(broker.pid()) / 1e6);
  PrintArrivals(arrivals, out);
  bool ok = scheduled.failed == 0 && arrivals.missing == 0 && arrivals.duplicates == 0 &&
            arrivals.unexpected == 0 && load.failed() == 0;
  if (before.ok() && after.ok()) {
    out << "broker lateness (due time - append): " << BrokerLatenessText(Subtract(*after, *before))
        << "\n";
  } else {
    std::cerr << "error: reading the broker's metrics: "
              << (before.ok() ? after.status() : before.status()).ToString() << "\n";
    ok = false;
  }
  (void)(*admin)->DeleteTopic(topic);
  (void)(*admin)->DeleteTopic(load_topic);
  return ok;
}

}  // namespace choreo::bench
