// choreo-redis-peer: Redis Streams measured as choreo-bench measures choreo (same pacing, values
// and end-to-end latency definition), so that a run of both on one machine gives ratios rather
// than absolute figures from different days. bench/peer_run.sh runs both; see bench/README.md.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/flags/usage_config.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "bench/common/command_line.h"
#include "bench/redis_peer/peer_report.h"
#include "bench/redis_peer/peer_workload.h"
#include "bench/redis_peer/redis_streams.h"

ABSL_FLAG(std::string, redis, "127.0.0.1:6379", "Redis server address host:port");
ABSL_FLAG(uint32_t, partitions, 8, "streams to spread records over (one stream = one partition)");
ABSL_FLAG(int, producers, 1, "producer threads, each with its own connection");
ABSL_FLAG(int, consumers, 1, "consumer threads, each with its own connection; streams split");
ABSL_FLAG(int, record_size, 100, "value bytes per record (at least 8: they carry the send time)");
ABSL_FLAG(double, duration, 10, "seconds to produce for");
ABSL_FLAG(double, rate, 0, "target produce rate in records/s over all producers; 0 = unlimited");
ABSL_FLAG(int, read_count, 1000, "XREAD COUNT: entries per read at most");
ABSL_FLAG(int, block_ms, 100, "XREAD BLOCK: milliseconds a read waits for entries");
ABSL_FLAG(bool, json, false, "print the summary as one JSON object");

namespace choreo::bench {
namespace {

std::string Validate(const PeerOptions& o) {
  if (o.partitions == 0) return "--partitions must be at least 1";
  if (o.producers < 1) return "--producers must be at least 1";
  if (o.consumers < 1) return "--consumers must be at least 1";
  if (o.record_bytes < 8) return "--record_size must be at least 8";
  if (o.duration_s <= 0) return "--duration must be > 0";
  if (o.rate < 0) return "--rate must be >= 0";
  if (o.read_count < 1 || o.block_ms < 1) return "--read_count and --block_ms must be positive";
  return "";
}

double InfoNumber(StreamConnection& connection, std::string_view section, std::string_view name) {
  auto info = connection.Info(section);
  double value = -1;
  if (!info.ok() || !absl::SimpleAtod(InfoField(*info, name), &value)) return -1;
  return value;
}

// CPU (user + system, all threads) the server has used, as INFO reports it; -1 if unknown.
double ServerCpuSeconds(StreamConnection& connection) {
  auto info = connection.Info("cpu");
  double user = 0, sys = 0;
  if (!info.ok() || !absl::SimpleAtod(InfoField(*info, "used_cpu_user"), &user) ||
      !absl::SimpleAtod(InfoField(*info, "used_cpu_sys"), &sys)) {
    return -1;
  }
  return user + sys;
}

std::string Setting(StreamConnection& connection, std::string_view name) {
  auto value = connection.ConfigValue(name);
  return value.ok() ? *value : "unknown";
}

int Run() {
  PeerOptions o;
  o.redis = absl::GetFlag(FLAGS_redis);
  o.partitions = absl::GetFlag(FLAGS_partitions);
  o.producers = absl::GetFlag(FLAGS_producers);
  o.consumers = absl::GetFlag(FLAGS_consumers);
  o.record_bytes = absl::GetFlag(FLAGS_record_size);
  o.duration_s = absl::GetFlag(FLAGS_duration);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.read_count = absl::GetFlag(FLAGS_read_count);
  o.block_ms = absl::GetFlag(FLAGS_block_ms);
  o.stream_prefix = absl::StrCat("choreo-redis-peer-", getpid());
  if (std::string error = Validate(o); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  auto admin = StreamConnection::Connect(o.redis);
  if (!admin.ok()) {
    std::cerr << "error: " << admin.status() << "\n";
    return 1;
  }
  auto server_info = (*admin)->Info("server");
  const std::string version = server_info.ok() ? InfoField(*server_info, "redis_version") : "?";
  const std::string persistence = absl::StrCat("appendonly=", Setting(**admin, "appendonly"),
                                               " appendfsync=", Setting(**admin, "appendfsync"));
  std::vector<std::string> streams;
  for (uint32_t p = 0; p < o.partitions; ++p)
    streams.push_back(StreamName(o, p));
  if (absl::Status s = (*admin)->Delete(streams); !s.ok()) {
    std::cerr << "error: " << s << "\n";
    return 1;
  }
  const double rewrites_start = InfoNumber(**admin, "persistence", "aof_rewrites");
  const double cpu_start = ServerCpuSeconds(**admin);
  double cpu_end = -1;
  PeerSummary s = RunPeerWorkload(o, [&] { cpu_end = ServerCpuSeconds(**admin); });
  const double rss = InfoNumber(**admin, "memory", "used_memory_rss");
  const double rewrites_end = InfoNumber(**admin, "persistence", "aof_rewrites");
  const double rewrites =
      rewrites_start >= 0 && rewrites_end >= 0 ? rewrites_end - rewrites_start : -1;
  (void)(*admin)->Delete(streams);  // best effort: frees the server's memory

  const ServerFigures server{
      .version = version,
      .persistence = persistence,
      .cpu_seconds = cpu_start >= 0 && cpu_end >= 0 ? cpu_end - cpu_start : -1,
      .rss_bytes = rss,
      .aof_rewrites = rewrites};
  std::cout << (absl::GetFlag(FLAGS_json) ? SummaryJson(o, server, s) : SummaryText(o, server, s));
  const bool failed = s.produce_errors > 0 || s.produced == 0 || s.consumed < s.produced;
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "measures Redis Streams end-to-end latency as choreo-bench measures choreo.\n"
      "  choreo-redis-peer --redis 127.0.0.1:6379 --rate 10000 --partitions 1\n"
      "Flag names take dashes or underscores (--record-size or --record_size).");
  // --help lists the flags of files whose path matches the program's name by default; ours are in
  // bench/redis_peer/main.cc.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "redis_peer/");
  };
  absl::SetFlagsUsageConfig(usage);
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-redis-peer");
  return choreo::bench::Run();
}
