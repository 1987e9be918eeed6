// A choreod child process with a temporary data directory, for `choreo-bench --spawn-broker`.
#pragma once

#include <absl/status/statusor.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace choreo::bench {

class SpawnedBroker {
 public:
  // Starts `choreod_path` on 127.0.0.1 with an ephemeral port, a fresh temporary data directory
  // and `extra_flags`, and waits (up to 30 s) until it listens.
  static absl::StatusOr<std::unique_ptr<SpawnedBroker>> Start(
      const std::string& choreod_path, const std::vector<std::string>& extra_flags);
  // SIGTERM, wait, remove the data directory.
  ~SpawnedBroker();

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  SpawnedBroker() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string data_dir_;
};

// Resident set size of a process in bytes, from /proc/PID/status; -1 if unknown.
int64_t ProcessRssBytes(pid_t pid);

// Where choreod probably is: next to this executable, else "choreod" on PATH.
std::string DefaultChoreodPath();

}  // namespace choreo::bench
