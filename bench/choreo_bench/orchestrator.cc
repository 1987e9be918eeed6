#include "orchestrator.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bench/common/broker_hops.h"
#include "bench/common/spawned_broker.h"
#include "run_stats.h"
#include "workload.h"

namespace choreo::bench {
namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Prints a progress line a second until `done` returns true; samples broker RSS when known.
template <typename Done>
void Monitor(const BenchOptions& options, RunStats& stats, pid_t broker_pid, Summary& summary,
             Done done) {
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  int64_t last_produced = stats.produced, last_produced_bytes = stats.produced_bytes;
  int64_t last_consumed = stats.consumed, last_consumed_bytes = stats.consumed_bytes;
  while (!done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(1)) continue;
    const double dt = Seconds(now - last);
    const int64_t produced = stats.produced, produced_bytes = stats.produced_bytes;
    const int64_t consumed = stats.consumed, consumed_bytes = stats.consumed_bytes;
    LatencyHistogram interval;
    {
      std::lock_guard<std::mutex> lock(stats.latency_mu);
      interval = stats.latency_interval;
      stats.latency_interval.Reset();
    }
    const int64_t rss = broker_pid > 0 ? ProcessRssBytes(broker_pid) : -1;
    summary.broker_peak_rss_bytes = std::max(summary.broker_peak_rss_bytes, rss);
    if (!options.json) {
      std::cerr << ProgressLine(Seconds(now - start), (produced - last_produced) / dt,
                                (produced_bytes - last_produced_bytes) / dt / 1e6,
                                (consumed - last_consumed) / dt,
                                (consumed_bytes - last_consumed_bytes) / dt / 1e6, interval, rss)
                << "\n";
    }
    last = now;
    last_produced = produced;
    last_produced_bytes = produced_bytes;
    last_consumed = consumed;
    last_consumed_bytes = consumed_bytes;
  }
}

// Waits until consumers hold every acknowledged record, or made no progress for 60 s.
using Clock = std::chrono::steady_clock;

Clock::time_point AwaitConsumers(const BenchOptions& options, RunStats& stats, pid_t broker_pid,
                                 Summary& summary) {
  auto consume_end = Clock::now();
  int64_t last_seen = -1;
  auto last_progress = Clock::now();
  Monitor(options, stats, broker_pid, summary, [&] {
    const int64_t consumed = stats.consumed;
    const auto now = Clock::now();
    if (consumed != last_seen) {
      last_seen = consumed;
      last_progress = now;
    }
    if (consumed >= stats.produced) {
      consume_end = now;
      return true;
    }
    if (now - last_progress > std::chrono::seconds(60)) {
      std::cerr << "consumers made no progress for 60 s; stopping\n";
      consume_end = now;
      return true;
    }
    return false;
  });
  return consume_end;
}

}  // namespace

void RunWorkload(const BenchOptions& options, bool fresh_topic, pid_t broker_pid,
                 Summary& summary) {
  RunStats stats;
  std::atomic<bool> stop_producers{false};
  std::atomic<bool> stop_consumers{false};
  std::atomic<int> producers_running{options.producers};
  std::vector<std::thread> producers;
  std::vector<std::thread> consumers;
  auto start_consumers = [&](bool from_beginning, bool measure_latency) {
    for (int c = 0; c < options.consumers; ++c) {
      consumers.emplace_back([&, c, from_beginning, measure_latency] {
        Status s = RunConsumer(options, c, from_beginning, measure_latency, stop_consumers, stats);
        if (!s.ok()) std::cerr << "consumer " << c << ": " << s.ToString() << "\n";
      });
    }
  };

  if (!options.backlog) start_consumers(fresh_topic, true);
  std::optional<BrokerHops> hops_before;
  if (options.trace) {
    absl::StatusOr<BrokerHops> scraped = ScrapeBrokerHops(options.broker_http);
    if (scraped.ok()) {
      hops_before = std::move(*scraped);
    } else {
      std::cerr << "--trace: broker hops unavailable: " << scraped.status() << "\n";
    }
  }
  const double broker_cpu_start = broker_pid > 0 ? ProcessCpuSeconds(broker_pid) : -1;
  std::atomic<double> broker_cpu_end{-1};
  const auto produce_start = std::chrono::steady_clock::now();
  auto produce_end = produce_start;
  const int64_t per_producer = options.records / options.producers;
  for (int p = 0; p < options.producers; ++p) {
    const int64_t quota =
        options.records == 0 ? 0 : per_producer + (p < options.records % options.producers ? 1 : 0);
    producers.emplace_back([&, p, quota] {
      Status s =
          RunProducer(options, p, quota, options.rate / options.producers, stop_producers, stats);
      if (!s.ok()) std::cerr << "producer " << p << ": " << s.ToString() << "\n";
      if (--producers_running == 0) {
        produce_end = std::chrono::steady_clock::now();
        if (broker_pid > 0) broker_cpu_end = ProcessCpuSeconds(broker_pid);
      }
    });
  }
  const auto produce_deadline =
      produce_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(options.duration_s));
  Monitor(options, stats, broker_pid, summary, [&] {
    if (options.records == 0 && std::chrono::steady_clock::now() >= produce_deadline) {
      stop_producers = true;
    }
    return producers_running == 0;
  });
  for (std::thread& t : producers)
    t.join();
  summary.produce_seconds = Seconds(produce_end - produce_start);
  if (broker_cpu_start >= 0 && broker_cpu_end >= 0) {
    summary.broker_produce_cpu_seconds = broker_cpu_end - broker_cpu_start;
  }
  if (stats.sent > 0) {
    summary.record_bytes = static_cast<double>(stats.sent_record_bytes) / stats.sent;
  }

  // Consumers: wait until they have everything that was acknowledged (bounded: 60 s of no
  // progress).
  const auto consume_start = options.backlog ? std::chrono::steady_clock::now() : produce_start;
  if (options.backlog) start_consumers(true, false);
  auto consume_end = consume_start;
  if (options.consumers > 0) {
    consume_end = AwaitConsumers(options, stats, broker_pid, summary);
  }
  stop_consumers = true;
  for (std::thread& t : consumers)
    t.join();
  summary.consume_seconds = Seconds(consume_end - consume_start);

  summary.produced = stats.produced;
  summary.produced_bytes = stats.produced_bytes;
  summary.produce_errors = stats.produce_errors;
  summary.consumed = stats.consumed;
  summary.consumed_bytes = stats.consumed_bytes;
  summary.consume_errors = stats.consume_errors;
  summary.latency = stats.latency;
  summary.ack_latency = stats.ack_latency;
  if (hops_before) {
    absl::StatusOr<BrokerHops> after = ScrapeBrokerHops(options.broker_http);
    if (after.ok()) {
      summary.broker_hops = Subtract(*after, *hops_before);
    } else {
      std::cerr << "--trace: broker hops unavailable: " << after.status() << "\n";
    }
  }
}

}  // namespace choreo::bench
