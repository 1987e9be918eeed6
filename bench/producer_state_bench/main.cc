// choreo-producer-state-bench: what a million stored idempotent-producer states cost the store at
// start-up (LogStore::Open loads them all), and what producer-id expiry gives back (issue 14,
// item 3). The workload is `choreo produce` run in a loop: every producer is new, appends one
// batch to one partition and never comes back.
//
//   choreo-producer-state-bench --producers=1000000 --dir=/tmp/pstate
//
// Fills the store through the public LogStore API (fsync never; a fixed wall clock), then opens
// it --opens times with nothing expired (timing each Open and the RSS it added), then once with
// the clock past the expiration (Open expires and deletes every state), then once more (nothing
// left). See bench/README.md; results in bench/RESULTS.md.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "choreo/storage/log_store.h"

ABSL_FLAG(int64_t, producers, 1'000'000, "producers to create, one stored state each");
ABSL_FLAG(uint32_t, partitions, 8, "partitions of the topic (producer i appends to i % n)");
ABSL_FLAG(std::string, dir, "/tmp/choreo-producer-state-bench", "data directory (wiped first)");
ABSL_FLAG(int, opens, 3, "timed opens with nothing expired");

namespace choreo::bench {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr int64_t kExpirationMs = int64_t{7} * 24 * 3600 * 1000;

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += static_cast<int64_t>(entry.file_size());
  }
  return total;
}

storage::StoreOptions Options(const std::string& dir, int64_t now_ms) {
  storage::StoreOptions options;
  options.data_dir = dir;
  options.fsync = storage::FsyncPolicy::kNever;
  options.producer_id_expiration_ms = kExpirationMs;
  options.wall_clock_ms = [now_ms] { return now_ms; };
  return options;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int Fill(const std::string& dir, int64_t producers, uint32_t partitions) {
  auto store = storage::LogStore::Open(Options(dir, kStartMs));
  if (!store.ok()) {
    std::cerr << "open: " << store.status() << "\n";
    return 1;
  }
  if (auto created = (*store)->CreateTopic("loop", {.partitions = partitions}); !created.ok()) {
    std::cerr << "create topic: " << created.status() << "\n";
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int64_t> done{0}, failed{0};
  for (int64_t i = 0; i < producers; ++i) {
    absl::StatusOr<storage::ProducerIdentity> id = (*store)->InitProducer(-1, 0, false);
    if (!id.ok()) {
      std::cerr << "init producer: " << id.status() << "\n";
      return 1;
    }
    (*store)->Append("loop", static_cast<storage::PartitionId>(i % partitions),
                     std::string(64, 'x'),
                     {.record_count = 1,
                      .max_timestamp_ms = kStartMs,
                      .producer_id = id->producer_id,
                      .producer_epoch = id->epoch,
                      .base_sequence = 0},
                     [&](absl::StatusOr<storage::AppendResult> result) {
                       if (!result.ok()) failed.fetch_add(1);
                       done.fetch_add(1);
                     });
  }
  while (done.load() < producers)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (failed.load() != 0) {
    std::cerr << failed.load() << " appends failed\n";
    return 1;
  }
  if (auto s = (*store)->Flush(); !s.ok()) std::cerr << "flush: " << s << "\n";
  if (auto s = (*store)->Close(); !s.ok()) std::cerr << "close: " << s << "\n";
  std::cout << absl::StrFormat("fill: %d producers in %.1f s; data dir %.1f MiB\n", producers,
                               Seconds(std::chrono::steady_clock::now() - start),
                               DirBytes(dir) / 1048576.0);
  return 0;
}

// Opens the store as of `now_ms`, prints the time and RSS it took and the producers it keeps.
bool TimedOpen(const std::string& dir, int64_t now_ms, const char* what) {
  const int64_t rss_before = RssBytes();
  const auto start = std::chrono::steady_clock::now();
  auto store = storage::LogStore::Open(Options(dir, now_ms));
  const double seconds = Seconds(std::chrono::steady_clock::now() - start);
  if (!store.ok()) {
    std::cerr << "open: " << store.status() << "\n";
    return false;
  }
  const int64_t rss_after = RssBytes();
  absl::StatusOr<storage::DbStats> stats = (*store)->GetDbStats();
  std::cout << absl::StrFormat("%-34s open %6.3f s  rss +%7.1f MiB  live producers %d\n", what,
                               seconds, (rss_after - rss_before) / 1048576.0,
                               stats.ok() ? stats->producer_ids : 0);
  if (auto s = (*store)->Close(); !s.ok()) std::cerr << "close: " << s << "\n";
  return true;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Measures LogStore::Open with many stored producer states.");
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  std::filesystem::remove_all(dir);
  if (int rc =
          choreo::bench::Fill(dir, absl::GetFlag(FLAGS_producers), absl::GetFlag(FLAGS_partitions));
      rc != 0) {
    return rc;
  }
  using choreo::bench::kExpirationMs;
  using choreo::bench::kStartMs;
  for (int i = 0; i < absl::GetFlag(FLAGS_opens); ++i) {
    if (!choreo::bench::TimedOpen(dir, kStartMs + 3600 * 1000, "nothing expired:")) return 1;
  }
  if (!choreo::bench::TimedOpen(dir, kStartMs + kExpirationMs + 1, "all expired (Open expires):")) {
    return 1;
  }
  if (!choreo::bench::TimedOpen(dir, kStartMs + kExpirationMs + 2, "after expiry:")) return 1;
  std::filesystem::remove_all(dir);
  return 0;
}
