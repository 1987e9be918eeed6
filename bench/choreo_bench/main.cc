// choreo-bench: measures choreo's produce and consume throughput and end-to-end latency, in the
// spirit of kafka-producer-perf-test and the OpenMessaging Benchmark. See bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "bench_options.h"
#include "ceiling.h"
#include "choreo/client/admin.h"
#include "report.h"
#include "run_stats.h"
#include "spawned_broker.h"
#include "workload.h"

ABSL_FLAG(std::string, broker, "localhost:7420", "broker address host:port");
ABSL_FLAG(std::string, topic, "", "topic to use; default: a new topic choreo-bench-<pid>");
ABSL_FLAG(uint32_t, partitions, 8, "partitions of the topic created for the run");
ABSL_FLAG(int, producers, 1, "producer threads, each with its own connection");
ABSL_FLAG(int, consumers, 1, "consumer threads; partitions are split among them");
ABSL_FLAG(int, record_size, 100, "value bytes per record (at least 8: they carry the send time)");
ABSL_FLAG(int64_t, keys, 100000, "distinct keys; 0 sends records without keys");
ABSL_FLAG(int64_t, records, 0, "records to produce in total; 0 runs for --duration");
ABSL_FLAG(double, duration, 10, "seconds to produce for when --records is 0");
ABSL_FLAG(double, rate, 0, "target produce rate in records/s over all producers; 0 = unlimited");
ABSL_FLAG(uint64_t, batch_bytes, 256 << 10, "producer batch size in bytes");
ABSL_FLAG(int, linger_ms, 5, "producer linger time in milliseconds");
ABSL_FLAG(std::string, compression, "none", "producer batch compression: none");
ABSL_FLAG(bool, backlog, false,
          "produce everything first, then measure consumers reading the backlog from the start");
ABSL_FLAG(bool, spawn_broker, false, "start a choreod with a temporary data dir for the run");
ABSL_FLAG(std::string, choreod, "",
          "choreod binary for --spawn-broker (default: next to this one)");
ABSL_FLAG(std::string, fsync, "always",
          "--spawn-broker and --ceiling: fsync policy (always|interval|never)");
ABSL_FLAG(bool, ceiling, false,
          "also append the same batches straight into storage in this process and report the "
          "broker's produce rate as a fraction of it");
ABSL_FLAG(bool, ceiling_only, false, "only measure the storage ceiling");
ABSL_FLAG(bool, json, false, "print the summary as one JSON object");

namespace choreo::bench {
namespace {

BenchOptions OptionsFromFlags() {
  BenchOptions o;
  o.broker = absl::GetFlag(FLAGS_broker);
  o.topic = absl::GetFlag(FLAGS_topic);
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.producers = absl::GetFlag(FLAGS_producers);
  o.consumers = absl::GetFlag(FLAGS_consumers);
  o.record_bytes = absl::GetFlag(FLAGS_record_size);
  o.key_cardinality = absl::GetFlag(FLAGS_keys);
  o.records = absl::GetFlag(FLAGS_records);
  o.duration_s = absl::GetFlag(FLAGS_duration);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.batch_bytes = absl::GetFlag(FLAGS_batch_bytes);
  o.linger_ms = absl::GetFlag(FLAGS_linger_ms);
  o.compression = absl::GetFlag(FLAGS_compression);
  o.backlog = absl::GetFlag(FLAGS_backlog);
  o.json = absl::GetFlag(FLAGS_json);
  return o;
}

std::string ValidateOptions(const BenchOptions& o) {
  if (o.partitions == 0) return "--partitions must be at least 1";
  if (o.producers < 1) return "--producers must be at least 1";
  if (o.consumers < 0) return "--consumers must not be negative";
  if (o.record_bytes < 8) return "--record_size must be at least 8";
  if (o.records < 0 || o.duration_s <= 0) return "--records must be >= 0 and --duration > 0";
  if (o.rate < 0) return "--rate must be >= 0";
  return "";
}

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

int Run() {
  BenchOptions options = OptionsFromFlags();
  if (std::string error = ValidateOptions(options); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  auto fsync = storage::ParseFsyncPolicy(absl::GetFlag(FLAGS_fsync));
  if (!fsync.ok()) {
    std::cerr << "error: " << fsync.status().message() << "\n";
    return 2;
  }
  Summary summary;
  if (absl::GetFlag(FLAGS_ceiling_only)) {
    options.fsync_label = absl::GetFlag(FLAGS_fsync);
    auto ceiling = RunCeiling(options, *fsync);
    if (!ceiling.ok()) {
      std::cerr << "error: ceiling: " << ceiling.status() << "\n";
      return 1;
    }
    std::cout << absl::StrCat(
        "storage ceiling: ", ceiling->records, " records in ", ceiling->seconds,
        " s = ", static_cast<int64_t>(ceiling->records_per_second()), " rec/s\n");
    return 0;
  }

  std::unique_ptr<SpawnedBroker> spawned;
  if (absl::GetFlag(FLAGS_spawn_broker)) {
    std::string path = absl::GetFlag(FLAGS_choreod);
    if (path.empty()) path = DefaultChoreodPath();
    auto started = SpawnedBroker::Start(path, {"--fsync=" + absl::GetFlag(FLAGS_fsync)});
    if (!started.ok()) {
      std::cerr << "error: --spawn-broker: " << started.status() << "\n";
      return 1;
    }
    spawned = std::move(*started);
    options.broker = spawned->address();
    options.fsync_label = absl::GetFlag(FLAGS_fsync);
  }
  const pid_t broker_pid = spawned ? spawned->pid() : -1;

  ClientOptions admin_options;
  admin_options.broker = options.broker;
  admin_options.client_id = "choreo-bench-admin";
  auto admin = Admin::Connect(admin_options);
  if (!admin.ok()) {
    std::cerr << "error: connecting to " << options.broker << ": " << admin.status().ToString()
              << "\n";
    return 1;
  }
  bool fresh_topic = false;
  if (options.topic.empty()) {
    options.topic = absl::StrCat("choreo-bench-", getpid());
    Status created = (*admin)->CreateTopic(options.topic, {.partitions = options.partitions});
    if (!created.ok()) {
      std::cerr << "error: creating topic: " << created.ToString() << "\n";
      return 1;
    }
    fresh_topic = true;
  } else {
    auto described = (*admin)->DescribeTopic(options.topic);
    if (!described.ok()) {
      std::cerr << "error: topic " << options.topic << ": " << described.status().ToString()
                << "\n";
      return 1;
    }
    options.partitions = static_cast<uint32_t>(described->partitions.size());
  }

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
      if (--producers_running == 0) produce_end = std::chrono::steady_clock::now();
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

  // Consumers: wait until they have everything that was acknowledged (bounded: 60 s of no
  // progress).
  const auto consume_start = options.backlog ? std::chrono::steady_clock::now() : produce_start;
  if (options.backlog) start_consumers(true, false);
  auto consume_end = consume_start;
  if (options.consumers > 0) {
    int64_t last_seen = -1;
    auto last_progress = std::chrono::steady_clock::now();
    Monitor(options, stats, broker_pid, summary, [&] {
      const int64_t consumed = stats.consumed;
      const auto now = std::chrono::steady_clock::now();
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
  if (broker_pid > 0) {
    summary.broker_rss_bytes = ProcessRssBytes(broker_pid);
    summary.broker_peak_rss_bytes =
        std::max(summary.broker_peak_rss_bytes, summary.broker_rss_bytes);
  }
  if (fresh_topic) (void)(*admin)->DeleteTopic(options.topic);  // best effort: frees disk
  admin->reset();
  spawned.reset();  // the ceiling must not share the disk with a running broker

  if (absl::GetFlag(FLAGS_ceiling)) {
    BenchOptions ceiling_options = options;
    ceiling_options.records = std::max<int64_t>(summary.produced, 1);
    auto ceiling = RunCeiling(ceiling_options, *fsync);
    if (!ceiling.ok()) {
      std::cerr << "error: ceiling: " << ceiling.status() << "\n";
    } else {
      summary.ceiling_records_per_second = ceiling->records_per_second();
    }
  }
  std::cout << (options.json ? SummaryJson(options, summary) : SummaryText(options, summary));
  const bool failed = summary.produce_errors > 0 || summary.produced == 0 ||
                      (options.consumers > 0 && summary.consumed < summary.produced);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures choreo produce/consume throughput and end-to-end latency.\n"
      "  choreo-bench --spawn-broker                 # one command: own broker, 10 s run\n"
      "  choreo-bench --broker host:port --partitions 8 --record_size 1024 --rate 50000");
  absl::ParseCommandLine(argc, argv);
  return choreo::bench::Run();
}
