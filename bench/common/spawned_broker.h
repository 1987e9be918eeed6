// A choreod child process with a temporary data directory, for the benchmark tools that start their
// own broker (`choreo-bench --spawn-broker`, `choreo-saga-bench` without --broker).
#pragma once

#include <absl/status/statusor.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace choreo::bench {

class SpawnedBroker {
 public:
  // Starts `choreod_path` on 127.0.0.1 with an ephemeral port and `extra_flags`, and waits (up to
  // 30 s) until it listens. Its data goes to `data_dir` when given (kept at the end), else to a
  // fresh temporary directory.
  static absl::StatusOr<std::unique_ptr<SpawnedBroker>> Start(
      const std::string& choreod_path, const std::vector<std::string>& extra_flags,
      const std::string& data_dir = {});
  // SIGTERM, wait, remove the temporary directory (a given data_dir is left alone).
  ~SpawnedBroker();

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Its HTTP endpoint (/metrics), "127.0.0.1:<port>".
  std::string http_address() const { return "127.0.0.1:" + std::to_string(http_port_); }
  pid_t pid() const { return pid_; }
  // The temporary directory holding the port file (and the data, unless data_dir was given).
  const std::string& temp_dir() const { return temp_dir_; }

 private:
  SpawnedBroker() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = 0;
  std::string temp_dir_;
};

// Resident set size of a process in bytes, from /proc/PID/status; -1 if unknown.
int64_t ProcessRssBytes(pid_t pid);
// Bytes of the regular files under `dir` (a broker's data directory); unreadable parts count 0.
int64_t DirectoryBytes(const std::string& dir);
// CPU time (user + system, all threads) a process has used so far, in seconds, from
// /proc/PID/stat; -1 if unknown.
double ProcessCpuSeconds(pid_t pid);

// Where choreod probably is: next to this executable, else "choreod" on PATH.
std::string DefaultChoreodPath();

}  // namespace choreo::bench
