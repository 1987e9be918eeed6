// A choreod child process the soak run can kill and start again on the same port and data
// directory, as an operator's restarts and crashes would: clients keep one address throughout.
#pragma once

#include <absl/status/status.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace choreo::soak {

class BrokerSupervisor {
 public:
  // Picks two free loopback ports (protocol and HTTP) once; every Start() uses them.
  BrokerSupervisor(std::string choreod_path, std::string data_dir, std::vector<std::string> flags);
  // Stops the broker (SIGTERM) if it runs.
  ~BrokerSupervisor();

  // Starts choreod and waits up to 60 s until it accepts connections.
  absl::Status Start();
  // Sends `signal` (SIGTERM: a graceful stop; SIGKILL: a crash) and reaps the process. Returns
  // its exit status as waitpid() reports it.
  int Stop(int signal);

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string choreod_path_;
  std::string data_dir_;
  std::vector<std::string> flags_;
  int port_ = 0;
  int http_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace choreo::soak
