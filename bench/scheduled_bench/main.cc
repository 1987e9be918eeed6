// choreo-scheduled-bench: how late scheduled (delayed) records are appended under load, and what
// a million pending ones cost the broker (memory, disk, start-up). See bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>

#include <iostream>
#include <memory>
#include <string>

#include "bench/common/command_line.h"
#include "bench/common/spawned_broker.h"
#include "bench/scheduled_bench/lateness_run.h"
#include "bench/scheduled_bench/pending_run.h"
#include "bench/scheduled_bench/scheduled_options.h"

ABSL_FLAG(std::string, mode, "lateness", "lateness | pending");
ABSL_FLAG(std::string, choreod, "", "choreod binary to start (default: next to this one)");
ABSL_FLAG(std::string, fsync, "always",
          "the started choreod's fsync policy: always|interval|never");
ABSL_FLAG(uint32_t, partitions, 4, "partitions of the topic scheduled records go to");
ABSL_FLAG(int, schedulers, 8,
          "threads calling Producer::Schedule, each with its own producer (a Schedule is one "
          "synchronous request)");
ABSL_FLAG(int, record_size, 100, "value bytes of a scheduled record (at least 16)");
ABSL_FLAG(double, schedule_rate, 2000, "lateness: records scheduled per second, over all threads");
ABSL_FLAG(double, duration, 20, "lateness: seconds of scheduling");
ABSL_FLAG(double, delay, 2, "lateness: seconds from a Schedule call to the record's due time");
ABSL_FLAG(double, load_rate, 5000,
          "lateness: plain records/s sent meanwhile (Producer::Send) to another topic; 0: none");
ABSL_FLAG(int, load_record_size, 1024, "lateness: value bytes of a load record");
ABSL_FLAG(uint32_t, load_partitions, 4, "lateness: partitions of the load topic");
ABSL_FLAG(double, drain, 30, "lateness: seconds to wait after the last due time for stragglers");
ABSL_FLAG(int64_t, pending, 1000000, "pending: records scheduled far in the future");
ABSL_FLAG(double, far, 86400, "pending: seconds ahead those are due");
ABSL_FLAG(int64_t, burst, 100000,
          "pending: after the restart, records due at one moment whose delivery is timed; 0: none");

namespace choreo::bench {
namespace {

ScheduledBenchOptions OptionsFromFlags() {
  ScheduledBenchOptions o;
  o.choreod = absl::GetFlag(FLAGS_choreod);
  if (o.choreod.empty()) o.choreod = DefaultChoreodPath();
  o.fsync = absl::GetFlag(FLAGS_fsync);
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.schedulers = absl::GetFlag(FLAGS_schedulers);
  o.record_size = absl::GetFlag(FLAGS_record_size);
  o.schedule_rate = absl::GetFlag(FLAGS_schedule_rate);
  o.duration_s = absl::GetFlag(FLAGS_duration);
  o.delay_s = absl::GetFlag(FLAGS_delay);
  o.load_rate = absl::GetFlag(FLAGS_load_rate);
  o.load_record_size = absl::GetFlag(FLAGS_load_record_size);
  o.load_partitions = absl::GetFlag(FLAGS_load_partitions);
  o.drain_s = absl::GetFlag(FLAGS_drain);
  o.pending = absl::GetFlag(FLAGS_pending);
  o.far_s = absl::GetFlag(FLAGS_far);
  o.burst = absl::GetFlag(FLAGS_burst);
  return o;
}

std::string ValidateOptions(const ScheduledBenchOptions& o, const std::string& mode) {
  if (mode != "lateness" && mode != "pending") return "--mode must be lateness or pending";
  if (o.partitions == 0 || o.load_partitions == 0) return "partitions must be at least 1";
  if (o.schedulers < 1) return "--schedulers must be at least 1";
  if (o.schedule_rate <= 0 || o.duration_s <= 0) return "--schedule_rate and --duration > 0";
  if (o.delay_s < 0 || o.load_rate < 0 || o.drain_s < 0) return "negative --delay/--load_rate";
  if (o.pending < 0 || o.burst < 0 || o.far_s <= 0) return "--pending, --burst >= 0, --far > 0";
  return "";
}

int Run() {
  const ScheduledBenchOptions options = OptionsFromFlags();
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (std::string error = ValidateOptions(options, mode); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  if (mode == "pending") return RunPending(options, std::cout) ? 0 : 1;
  auto broker = SpawnedBroker::Start(options.choreod, {"--fsync=" + options.fsync});
  if (!broker.ok()) {
    std::cerr << "error: starting choreod: " << broker.status() << "\n";
    return 1;
  }
  return RunLateness(options, **broker, std::cout) ? 0 : 1;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures scheduled (delayed) records: how late they are appended under load, and what a "
      "million pending ones cost the broker.\n"
      "  choreo-scheduled-bench --schedule_rate=2000 --duration=20 --delay=2 --load_rate=5000\n"
      "  choreo-scheduled-bench --mode=pending --pending=1000000 --schedulers=16\n"
      "Flag names take dashes or underscores (--schedule-rate or --schedule_rate).");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-scheduled-bench");
  return choreo::bench::Run();
}
