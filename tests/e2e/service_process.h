// ServiceProcess: one of the order saga example's programs (examples/order-saga) as a child
// process of an end-to-end test, with its output appended to a log file across restarts.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/process.h"

namespace choreo::e2e {

// Drive it from the test's thread only.
class ServiceProcess {
 public:
  ServiceProcess(std::vector<std::string> argv, std::filesystem::path log)
      : argv_(std::move(argv)), log_(std::move(log)) {}
  ~ServiceProcess() { Kill(); }

  ::testing::AssertionResult Start() {
    pid_ = Spawn(argv_, "/dev/null", log_, log_);
    if (pid_ < 0) return ::testing::AssertionFailure() << "cannot start " << argv_[0];
    return ::testing::AssertionSuccess();
  }
  // SIGKILL and reap: a crash.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    WaitForExit(pid_, std::chrono::seconds(30));
    pid_ = -1;
  }
  // SIGTERM: the service stops cleanly (its running steps committed) and exits with status 0.
  // Signal every service first, then wait for each, so that they stop in parallel.
  void SignalStop() {
    if (Running()) kill(pid_, SIGTERM);
  }
  ::testing::AssertionResult WaitStopped(std::chrono::milliseconds timeout) {
    const int status = Wait(timeout);
    if (status == -1) {
      Kill();
      return ::testing::AssertionFailure()
             << argv_[0] << " did not exit within " << timeout.count() << " ms of SIGTERM:\n"
             << LogTail();
    }
    if (status != 0) {
      return ::testing::AssertionFailure()
             << argv_[0] << " exited with " << status << " after SIGTERM:\n"
             << LogTail();
    }
    return ::testing::AssertionSuccess();
  }
  // Waits up to `timeout` for the process to exit by itself; its status, or -1.
  int Wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    exit_code_ = WaitForExit(pid_, timeout);
    if (exit_code_ != -1) pid_ = -1;
    return exit_code_;
  }
  bool Running() { return Wait(std::chrono::milliseconds(0)) == -1; }
  std::string LogTail(size_t bytes = 3000) const {
    const std::string text = ReadFile(log_);
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
  }

 private:
  std::vector<std::string> argv_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace choreo::e2e
