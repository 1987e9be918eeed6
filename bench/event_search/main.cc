// choreo-event-search-bench: how fast the broker's event index answers "where is this saga / this
// event / events of this type since T", against the answer a tool without an index gets by reading
// the topic from the beginning and filtering on headers (as every Kafka UI does). See
// bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "bench/common/command_line.h"
#include "bench/common/latency_report.h"
#include "bench/common/spawned_broker.h"
#include "choreo/client/admin.h"
#include "fill.h"
#include "search_options.h"
#include "search_run.h"

ABSL_FLAG(std::string, broker, "",
          "broker address host:port; default: start a choreod with a temporary data directory");
ABSL_FLAG(std::string, choreod, "", "choreod binary to start (default: next to this one)");
ABSL_FLAG(std::string, fsync, "interval",
          "the started choreod's fsync policy: always|interval|never (the fill's speed only)");
ABSL_FLAG(uint32_t, partitions, 8, "partitions of the topic the run fills");
ABSL_FLAG(int64_t, records, 3000000, "enveloped records to fill the topic with");
ABSL_FLAG(int, saga_events, 5, "events per saga");
ABSL_FLAG(int, record_size, 100, "payload bytes per record");
ABSL_FLAG(int, lookups, 2000, "index queries per kind (saga, event id, type since)");
ABSL_FLAG(int, scan_rounds, 1, "full scans per kind");
ABSL_FLAG(std::string, event_index, "on",
          "off: create the topic with its event index off and stop after the fill (to compare "
          "fill speed and disk with the index on)");
ABSL_FLAG(double, settle_max, 60,
          "after the fill, wait up to this many seconds for a started broker to go idle "
          "(flushes and compactions) before timing queries");

namespace choreo::bench {
namespace {

SearchBenchOptions OptionsFromFlags() {
  SearchBenchOptions o;
  o.broker = absl::GetFlag(FLAGS_broker);
  o.topic = absl::StrCat("choreo-event-search-", getpid());
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.records = absl::GetFlag(FLAGS_records);
  o.saga_events = absl::GetFlag(FLAGS_saga_events);
  o.value_bytes = absl::GetFlag(FLAGS_record_size);
  o.lookups = absl::GetFlag(FLAGS_lookups);
  o.scan_rounds = absl::GetFlag(FLAGS_scan_rounds);
  o.settle_max_s = absl::GetFlag(FLAGS_settle_max);
  o.event_index = absl::GetFlag(FLAGS_event_index) != "off";
  return o;
}

std::string ValidateOptions(const SearchBenchOptions& o) {
  if (o.partitions == 0) return "--partitions must be at least 1";
  if (o.records < o.saga_events) return "--records must be at least --saga_events";
  if (o.saga_events < 1) return "--saga_events must be at least 1";
  if (o.value_bytes < 0) return "--record_size must not be negative";
  if (o.lookups < 1 || o.scan_rounds < 0) return "--lookups >= 1 and --scan_rounds >= 0";
  const std::string index = absl::GetFlag(FLAGS_event_index);
  if (index != "on" && index != "off") return "--event_index must be on or off";
  return "";
}

// Waits until `pid` used under 5% of a core for two seconds in a row (its flushes and compactions
// are done), at most `max_s`; returns the seconds waited.
double WaitIdle(pid_t pid, double max_s) {
  const auto start = std::chrono::steady_clock::now();
  int quiet = 0;
  double last = ProcessCpuSeconds(pid);
  while (quiet < 2 &&
         std::chrono::steady_clock::now() - start < std::chrono::duration<double>(max_s)) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double now = ProcessCpuSeconds(pid);
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    last = now;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Run() {
  SearchBenchOptions options = OptionsFromFlags();
  if (std::string error = ValidateOptions(options); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  std::unique_ptr<SpawnedBroker> spawned;
  std::string fsync_label = "unknown";
  if (options.broker.empty()) {
    std::string path = absl::GetFlag(FLAGS_choreod);
    if (path.empty()) path = DefaultChoreodPath();
    auto started = SpawnedBroker::Start(path, {"--fsync=" + absl::GetFlag(FLAGS_fsync)});
    if (!started.ok()) {
      std::cerr << "error: starting choreod: " << started.status() << "\n";
      return 1;
    }
    spawned = std::move(*started);
    options.broker = spawned->address();
    fsync_label = absl::GetFlag(FLAGS_fsync);
  }
  ClientOptions client{.broker = options.broker, .client_id = "choreo-event-search-bench"};
  auto admin = Admin::Connect(client);
  if (!admin.ok()) {
    std::cerr << "error: connecting to " << options.broker << ": " << admin.status().ToString()
              << "\n";
    return 1;
  }
  if (Status s = (*admin)->CreateTopic(
          options.topic,
          {.partitions = options.partitions,
           .event_index = options.event_index ? EventIndexMode::kOn : EventIndexMode::kOff});
      !s.ok()) {
    std::cerr << "error: creating topic: " << s.ToString() << "\n";
    return 1;
  }
  std::cout << absl::StrFormat(
      "choreo-event-search-bench: topic %s, %u partitions, %d records, sagas of %d events, "
      "%d-byte payloads, fsync=%s, event index %s\n",
      options.topic, options.partitions, options.records, options.saga_events, options.value_bytes,
      fsync_label, options.event_index ? "on" : "off");

  auto fill = FillTopic(options, static_cast<size_t>(std::max(options.lookups, 1000)));
  bool failed = !fill.ok() || fill->errors > 0;
  if (fill.ok()) {
    std::cout << absl::StrFormat(
        "fill: %d records in %.1f s = %.0f rec/s (%d errors), %.0f bytes per record (key + value "
        "+ headers)\n",
        fill->produced, fill->seconds, PerSecond(fill->produced, fill->seconds), fill->errors,
        fill->record_bytes);
    if (spawned) {
      const double waited = WaitIdle(spawned->pid(), options.settle_max_s);
      std::cout << absl::StrFormat(
          "broker idle after %.0f s more; data directory %.2f GB (log + index + WAL)\n", waited,
          DirectoryBytes(spawned->temp_dir()) / 1e9);
    }
    std::cout << std::flush;
    if (options.event_index) {
      failed = !RunSearches(options, client, **admin, *fill, std::cout) || failed;
    }
  } else {
    std::cerr << "error: fill: " << fill.status().ToString() << "\n";
  }
  (void)(*admin)->DeleteTopic(options.topic);  // best effort: frees disk on a long-lived broker
  admin->reset();
  spawned.reset();
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "times the broker's event index (FindEvents) against scanning a topic, on a topic filled "
      "with enveloped saga events.\n"
      "  choreo-event-search-bench                       # own choreod, 3M records, ~3-5 min\n"
      "  choreo-event-search-bench --records 500000 --lookups 500\n"
      "Flag names take dashes or underscores (--scan-rounds or --scan_rounds).");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-event-search-bench");
  return choreo::bench::Run();
}
