// choreo-saga-bench: measures the saga layer end to end: the three-service order choreography
// (payment, shipping, order) in this process on the public saga API, driven open loop at a rate
// or as fast as a window of sagas in flight allows. See bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/common/command_line.h"
#include "bench/common/spawned_broker.h"
#include "choreo/client/admin.h"
#include "choreography.h"
#include "saga_bench_options.h"
#include "saga_report.h"
#include "saga_run.h"

ABSL_FLAG(std::string, broker, "",
          "broker address host:port; default: start a choreod with a temporary data directory");
ABSL_FLAG(std::string, choreod, "", "choreod binary to start (default: next to this one)");
ABSL_FLAG(std::string, fsync, "always",
          "the started choreod's fsync policy: always|interval|never");
ABSL_FLAG(std::string, data_dir, "",
          "the started choreod's data directory (default: a temporary one, removed at the end)");
ABSL_FLAG(uint32_t, partitions, 8, "partitions of each topic the run creates");
ABSL_FLAG(double, rate, 0,
          "sagas started per second, scheduled by time (open loop); 0: as fast as possible with "
          "at most --max_in_flight sagas in flight");
ABSL_FLAG(int64_t, max_in_flight, 10000, "sagas started and not yet completed, at most");
ABSL_FLAG(double, duration, 10, "seconds measured, after the warmup");
ABSL_FLAG(double, warmup, 2, "seconds run before measuring");
ABSL_FLAG(uint32_t, workers, 2, "handler threads of each of the three services");
ABSL_FLAG(bool, verify_log, true,
          "at the end, read the OrderCompleted topic back and check it holds every saga once");
ABSL_FLAG(bool, json, false, "print the summary as one JSON object");

namespace choreo::bench {
namespace {

SagaBenchOptions OptionsFromFlags() {
  SagaBenchOptions o;
  o.broker = absl::GetFlag(FLAGS_broker);
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  o.duration_s = absl::GetFlag(FLAGS_duration);
  o.warmup_s = absl::GetFlag(FLAGS_warmup);
  o.workers = absl::GetFlag(FLAGS_workers);
  o.verify_log = absl::GetFlag(FLAGS_verify_log);
  o.json = absl::GetFlag(FLAGS_json);
  o.run_id = absl::StrCat("choreo-saga-bench-", getpid());
  return o;
}

std::string ValidateOptions(const SagaBenchOptions& o) {
  if (o.partitions == 0) return "--partitions must be at least 1";
  if (o.rate < 0) return "--rate must be >= 0";
  if (o.max_in_flight < 1) return "--max_in_flight must be at least 1";
  if (o.duration_s <= 0 || o.warmup_s < 0) return "--duration must be > 0 and --warmup >= 0";
  if (o.workers < 1) return "--workers must be at least 1";
  const std::string fsync = absl::GetFlag(FLAGS_fsync);
  if (fsync != "always" && fsync != "interval" && fsync != "never") {
    return "--fsync must be always, interval or never";
  }
  return "";
}

// Creates the run's four event topics; the services create their dead-letter topics themselves.
Status CreateTopics(Admin& admin, const SagaBenchOptions& o) {
  for (const std::string& topic : EventTopics(o.run_id)) {
    if (Status s = admin.CreateTopic(topic, {.partitions = o.partitions}); !s.ok()) return s;
  }
  return OkStatus();
}

// Best effort: a run against a long-lived broker leaves nothing behind.
void DeleteRunState(Admin& admin, const SagaBenchOptions& o) {
  for (const std::string& topic : EventTopics(o.run_id))
    (void)admin.DeleteTopic(topic);
  for (const std::string& topic : DeadLetterTopics(o.run_id))
    (void)admin.DeleteTopic(topic);
  for (const std::string& group : GroupIds(o.run_id))
    (void)admin.DeleteGroup(group);
}

int Run() {
  SagaBenchOptions options = OptionsFromFlags();
  if (std::string error = ValidateOptions(options); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  std::unique_ptr<SpawnedBroker> spawned;
  if (options.broker.empty()) {
    std::string path = absl::GetFlag(FLAGS_choreod);
    if (path.empty()) path = DefaultChoreodPath();
    auto started = SpawnedBroker::Start(path, {"--fsync=" + absl::GetFlag(FLAGS_fsync)},
                                        absl::GetFlag(FLAGS_data_dir));
    if (!started.ok()) {
      std::cerr << "error: starting choreod: " << started.status() << "\n";
      return 1;
    }
    spawned = std::move(*started);
    options.broker = spawned->address();
    options.fsync_label = absl::GetFlag(FLAGS_fsync);
  }
  ClientOptions admin_options;
  admin_options.broker = options.broker;
  admin_options.client_id = options.run_id + "-admin";
  auto admin = Admin::Connect(admin_options);
  if (!admin.ok()) {
    std::cerr << "error: connecting to " << options.broker << ": " << admin.status().ToString()
              << "\n";
    return 1;
  }
  if (Status s = CreateTopics(**admin, options); !s.ok()) {
    std::cerr << "error: creating topics: " << s.ToString() << "\n";
    return 1;
  }

  SagaSummary summary;
  const pid_t broker_pid = spawned ? spawned->pid() : -1;
  Status ran = RunSagaBench(options, broker_pid, summary);
  if (broker_pid > 0) {
    summary.broker_rss_bytes = ProcessRssBytes(broker_pid);
    summary.broker_peak_rss_bytes =
        std::max(summary.broker_peak_rss_bytes, summary.broker_rss_bytes);
  }
  DeleteRunState(**admin, options);
  admin->reset();
  spawned.reset();
  if (!ran.ok()) {
    std::cerr << "error: " << ran.ToString() << "\n";
    return 1;
  }

  std::cout << (options.json ? SagaSummaryJson(options, summary)
                             : SagaSummaryText(options, summary));
  if (!summary.check.ok()) {
    // Loud on stderr too, also when the summary went out as JSON.
    std::cerr << "choreo-saga-bench: CHECK FAILED: sagas did not complete exactly once (see the "
                 "summary)\n";
  }
  const bool failed = !summary.check.ok() || summary.publish_errors > 0 || !summary.drained ||
                      summary.completed == 0;
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures choreo's saga layer: a three-step order choreography (payment, shipping, order "
      "services) in one process, against a broker.\n"
      "  choreo-saga-bench                          # own choreod (fsync always), unlimited rate\n"
      "  choreo-saga-bench --rate 2000 --duration 30 # completion latency at 2000 sagas/s\n"
      "  choreo-saga-bench --broker host:port --workers 4\n"
      "Flag names take dashes or underscores (--max-in-flight or --max_in_flight).");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-saga-bench");
  return choreo::bench::Run();
}
