// BrokerProcess: runs the real `choreod` binary as a child process for end-to-end tests.
//
// The broker listens on 127.0.0.1 port 0 and reports its port through --port-file; Start() waits
// for that file (polling with a deadline) and fails early if the child exits. With `keep_port`,
// later starts listen on the port of the first one, so that clients reconnect to the same address
// after Kill()/Restart() (the broker sets SO_REUSEADDR, so connections of the killed process in
// TIME_WAIT do not block the bind). Its stdout and stderr
// go to `broker.log` in the work directory, appended across restarts; failures quote its tail.
// Data lives in `data/` under the work directory and survives Stop()/Kill() and Restart().
//
// Not thread-safe: drive one BrokerProcess from the test's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace choreo::e2e {

class BrokerProcess {
 public:
  struct Options {
    std::string fsync = "always";          // --fsync=always|interval|never
    std::vector<std::string> extra_flags;  // passed through verbatim
    bool keep_port = false;                // restart on the first start's port
    std::chrono::milliseconds start_timeout{30000};
    std::chrono::milliseconds stop_timeout{30000};
  };

  // `work_dir` must exist; the broker's data, port file and log are created inside it.
  explicit BrokerProcess(std::filesystem::path work_dir);
  BrokerProcess(std::filesystem::path work_dir, Options options);
  // Kills the broker if it is still running.
  ~BrokerProcess();

  // Starts choreod and waits until it has written its port.
  ::testing::AssertionResult Start();
  // SIGTERM, then waits for a clean exit (status 0) up to stop_timeout; SIGKILL if it hangs.
  ::testing::AssertionResult Stop();
  // SIGKILL and reap: a crash.
  void Kill();
  // Stop() then Start() on the same data directory.
  ::testing::AssertionResult Restart();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  // The HTTP (/metrics, /healthz, /readyz) port; 0 if extra_flags disabled it.
  uint16_t http_port() const { return http_port_; }
  pid_t pid() const { return pid_; }
  // "127.0.0.1:PORT" of the running broker.
  std::string address() const;
  std::filesystem::path data_dir() const { return work_dir_ / "data"; }
  // The last `bytes` of the broker's log, for failure messages.
  std::string LogTail(size_t bytes = 4000) const;

 private:
  std::filesystem::path work_dir_;
  Options options_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t http_port_ = 0;
  uint16_t kept_port_ = 0;  // with keep_port: the first start's port
};

}  // namespace choreo::e2e
