// choreo-soak: hours of mixed load against one choreod, with restarts and crashes, then the checks
// that nothing acknowledged was lost and that the broker's memory, files and disk stayed flat.
// scripts/soak.sh runs it for 30 minutes; see bench/README.md, "choreo-soak".
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_split.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/common/command_line.h"
#include "bench/common/spawned_broker.h"
#include "bench/soak/soak_run.h"

ABSL_FLAG(std::string, choreod, "", "choreod binary to start (default: next to this one)");
ABSL_FLAG(std::string, data_dir, "",
          "the broker's data directory, kept afterwards (default: a new temporary directory)");
ABSL_FLAG(std::string, broker_flags, "--fsync=interval,--retention-check-interval-ms=10000",
          "comma-separated extra flags for choreod");
ABSL_FLAG(int64_t, duration_s, 1800, "seconds of load before the final checks");
ABSL_FLAG(double, rate, 3000, "keyed records per second to the audited topic");
ABSL_FLAG(int, keys, 64, "distinct record keys (per-key order is checked)");
ABSL_FLAG(int, partitions, 8, "partitions of each topic");
ABSL_FLAG(int, value_bytes, 200, "padding bytes of each audited record's value");
ABSL_FLAG(bool, churn_topic, true,
          "also write 1 KiB records at a quarter of --rate to an unaudited topic");
ABSL_FLAG(int64_t, retention_ms, 300000, "retention of both topics");
ABSL_FLAG(int, members, 3, "consumer-group members at a time");
ABSL_FLAG(int64_t, member_churn_s, 40, "every this many seconds one member leaves and one joins");
ABSL_FLAG(int64_t, producer_restart_s, 90, "every this many seconds the producer is replaced");
ABSL_FLAG(int64_t, broker_restart_s, 360,
          "every this many seconds the broker is killed (SIGKILL) or stopped (SIGTERM), in turn, "
          "and started again");
ABSL_FLAG(int64_t, sample_s, 10, "seconds between samples of the broker's RSS, files and disk");
ABSL_FLAG(int64_t, drain_s, 300, "at the end, seconds to wait for the group to catch up");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "choreo-soak [flags]: a long mixed-load run with broker restarts; exits 0 when nothing "
      "acknowledged was lost, per-key order held and the broker stayed flat");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-soak");
  choreo::soak::SoakOptions o;
  o.choreod = absl::GetFlag(FLAGS_choreod);
  if (o.choreod.empty()) o.choreod = choreo::bench::DefaultChoreodPath();
  o.data_dir = absl::GetFlag(FLAGS_data_dir);
  if (o.data_dir.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "choreo-soak-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) {
      std::perror("choreo-soak: mkdtemp");
      return 2;
    }
    o.data_dir = templ;
  }
  for (absl::string_view flag :
       absl::StrSplit(absl::GetFlag(FLAGS_broker_flags), ',', absl::SkipEmpty())) {
    o.broker_flags.emplace_back(flag);
  }
  o.duration = std::chrono::seconds(absl::GetFlag(FLAGS_duration_s));
  o.records_per_second = absl::GetFlag(FLAGS_rate);
  o.keys = absl::GetFlag(FLAGS_keys);
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.value_bytes = absl::GetFlag(FLAGS_value_bytes);
  o.churn_topic = absl::GetFlag(FLAGS_churn_topic);
  o.retention_ms = absl::GetFlag(FLAGS_retention_ms);
  o.members = absl::GetFlag(FLAGS_members);
  o.member_churn_every = std::chrono::seconds(absl::GetFlag(FLAGS_member_churn_s));
  o.producer_restart_every = std::chrono::seconds(absl::GetFlag(FLAGS_producer_restart_s));
  o.broker_restart_every = std::chrono::seconds(absl::GetFlag(FLAGS_broker_restart_s));
  o.sample_every = std::chrono::seconds(absl::GetFlag(FLAGS_sample_s));
  o.drain_timeout = std::chrono::seconds(absl::GetFlag(FLAGS_drain_s));
  if (o.keys < 1 || o.partitions < 1 || o.members < 1 || o.records_per_second <= 0 ||
      o.value_bytes < 0 || o.sample_every.count() < 1) {
    std::fprintf(stderr,
                 "choreo-soak: --keys, --partitions, --members, --rate and --sample-s must be "
                 "positive, --value-bytes not negative\n");
    return 2;
  }
  return choreo::soak::RunSoak(o);
}
