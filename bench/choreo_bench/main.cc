// choreo-bench: measures choreo's produce and consume throughput and end-to-end latency, in the
// spirit of kafka-producer-perf-test and the OpenMessaging Benchmark. See bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/common/command_line.h"
#include "bench/common/spawned_broker.h"
#include "bench_options.h"
#include "ceiling.h"
#include "choreo/client/admin.h"
#include "choreo/client/producer.h"
#include "orchestrator.h"
#include "report.h"

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
ABSL_FLAG(uint64_t, batch_bytes, choreo::ProducerOptions{}.batch_bytes,
          "producer batch size in bytes (default: the producer's)");
ABSL_FLAG(int, linger_ms, static_cast<int>(choreo::ProducerOptions{}.linger.count()),
          "producer linger time in milliseconds (default: the producer's)");
ABSL_FLAG(bool, adaptive_linger, choreo::ProducerOptions{}.adaptive_linger,
          "producer adaptive linger: send at once to a partition with nothing in flight "
          "(default: the producer's)");
ABSL_FLAG(std::string, compression, "none", "producer batch compression: none, lz4 or zstd");
ABSL_FLAG(bool, envelope, false,
          "put a saga envelope (ce_* headers, traceparent; key = saga id) on every record, as "
          "choreo::saga writes it; --keys is then unused");
ABSL_FLAG(int, saga_events, 5, "with --envelope: events per saga");
ABSL_FLAG(std::string, event_index, "",
          "event index of the topic created for the run: on or off (default: the broker's, on)");
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
ABSL_FLAG(bool, trace, false,
          "also report where the time goes: the broker's per-hop latencies over the run (from "
          "its /metrics) and the producer's send -> acknowledgement time");
ABSL_FLAG(std::string, broker_http, "",
          "--trace against --broker: the broker's HTTP endpoint host:port (its --http-listen)");
ABSL_FLAG(std::string, tls_ca, "",
          "connect with TLS, verifying the broker against this PEM CA bundle (--trace is not "
          "supported with TLS)");
ABSL_FLAG(std::string, tls_cert, "", "TLS client certificate (PEM), for a broker with --tls-ca");
ABSL_FLAG(std::string, tls_key, "", "TLS client key (PEM) of --tls_cert");
ABSL_FLAG(std::string, tls_broker_cert, "",
          "--spawn-broker: start it with TLS, with this certificate (and --tls_broker_key)");
ABSL_FLAG(std::string, tls_broker_key, "", "--spawn-broker: the key of --tls_broker_cert");

namespace choreo::bench {
namespace {

BenchOptions OptionsFromFlags() {
  BenchOptions o;
  o.broker = absl::GetFlag(FLAGS_broker);
  o.tls.ca_file = absl::GetFlag(FLAGS_tls_ca);
  o.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  o.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  o.tls.enabled = !o.tls.ca_file.empty();
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
  o.adaptive_linger = absl::GetFlag(FLAGS_adaptive_linger);
  o.compression = absl::GetFlag(FLAGS_compression);
  o.envelope = absl::GetFlag(FLAGS_envelope);
  o.saga_events = absl::GetFlag(FLAGS_saga_events);
  o.event_index = absl::GetFlag(FLAGS_event_index);
  o.backlog = absl::GetFlag(FLAGS_backlog);
  o.json = absl::GetFlag(FLAGS_json);
  o.trace = absl::GetFlag(FLAGS_trace);
  o.broker_http = absl::GetFlag(FLAGS_broker_http);
  return o;
}

std::string ValidateOptions(const BenchOptions& o) {
  if (o.partitions == 0) return "--partitions must be at least 1";
  if (o.producers < 1) return "--producers must be at least 1";
  if (o.consumers < 0) return "--consumers must not be negative";
  if (o.record_bytes < 8) return "--record_size must be at least 8";
  if (o.records < 0 || o.duration_s <= 0) return "--records must be >= 0 and --duration > 0";
  if (o.rate < 0) return "--rate must be >= 0";
  if (o.saga_events < 1) return "--saga_events must be at least 1";
  if (!o.event_index.empty() && o.event_index != "on" && o.event_index != "off")
    return "--event_index must be on or off";
  if (o.trace && o.broker_http.empty() && !absl::GetFlag(FLAGS_spawn_broker))
    return "--trace needs --spawn-broker or --broker_http";
  if (o.trace && o.tls.enabled)
    return "--trace does not support TLS (its /metrics scrape is plain HTTP)";
  if (!o.event_index.empty() && !o.topic.empty())
    return "--event_index applies to the topic the run creates, not to --topic";
  return "";
}

int Run() {
  BenchOptions options = OptionsFromFlags();
  if (std::string error = ValidateOptions(options); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  if (options.envelope && (absl::GetFlag(FLAGS_ceiling) || absl::GetFlag(FLAGS_ceiling_only))) {
    std::cerr << "error: --ceiling appends records without envelopes; drop --envelope or it\n";
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
    std::vector<std::string> broker_flags = {"--fsync=" + absl::GetFlag(FLAGS_fsync)};
    if (!absl::GetFlag(FLAGS_tls_broker_cert).empty()) {
      broker_flags.push_back("--tls-cert=" + absl::GetFlag(FLAGS_tls_broker_cert));
      broker_flags.push_back("--tls-key=" + absl::GetFlag(FLAGS_tls_broker_key));
    }
    auto started = SpawnedBroker::Start(path, broker_flags);
    if (!started.ok()) {
      std::cerr << "error: --spawn-broker: " << started.status() << "\n";
      return 1;
    }
    spawned = std::move(*started);
    options.broker = spawned->address();
    options.broker_http = spawned->http_address();
    options.fsync_label = absl::GetFlag(FLAGS_fsync);
  }
  const pid_t broker_pid = spawned ? spawned->pid() : -1;

  ClientOptions admin_options;
  admin_options.broker = options.broker;
  admin_options.tls = options.tls;
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
    TopicSettings settings{.partitions = options.partitions};
    if (!options.event_index.empty()) {
      settings.event_index =
          options.event_index == "on" ? EventIndexMode::kOn : EventIndexMode::kOff;
    }
    Status created = (*admin)->CreateTopic(options.topic, settings);
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

  RunWorkload(options, fresh_topic, broker_pid, summary);
  const bool trace_failed = options.trace && summary.broker_hops.empty();
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
  if (trace_failed) std::cerr << "error: --trace: the broker's hop latencies could not be read\n";
  const bool failed = summary.produce_errors > 0 || summary.produced == 0 ||
                      (options.consumers > 0 && summary.consumed < summary.produced) ||
                      trace_failed;
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures choreo produce/consume throughput and end-to-end latency.\n"
      "  choreo-bench --spawn-broker                 # one command: own broker, 10 s run\n"
      "  choreo-bench --broker host:port --partitions 8 --record-size 1024 --rate 50000\n"
      "Flag names take dashes or underscores (--record-size or --record_size).");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-bench");
  return choreo::bench::Run();
}
