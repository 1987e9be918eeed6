#include "tests/e2e/broker_process.h"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "tests/e2e/process.h"

#ifndef CHOREOD_PATH
#error "CHOREOD_PATH must name the choreod binary"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;

// The port in a complete port file ("7420\n"), or 0 if the file is absent or not complete yet.
uint16_t ReadPort(const std::filesystem::path& path) {
  const std::string text = ReadFile(path);
  if (text.empty() || text.back() != '\n') return 0;
  try {
    const unsigned long port = std::stoul(text);
    return port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;
  } catch (...) {
    return 0;
  }
}

}  // namespace

BrokerProcess::BrokerProcess(std::filesystem::path work_dir)
    : BrokerProcess(std::move(work_dir), Options{}) {}

BrokerProcess::BrokerProcess(std::filesystem::path work_dir, Options options)
    : work_dir_(std::move(work_dir)), options_(std::move(options)) {}

BrokerProcess::~BrokerProcess() {
  if (running()) Kill();
}

::testing::AssertionResult BrokerProcess::Start() {
  if (running()) return ::testing::AssertionFailure() << "broker already running";
  const std::filesystem::path port_file = work_dir_ / "broker.port";
  const std::filesystem::path http_port_file = work_dir_ / "broker.http_port";
  std::error_code ignored;
  std::filesystem::remove(port_file, ignored);  // a stale file would name the previous port
  std::filesystem::remove(http_port_file, ignored);
  std::filesystem::create_directories(data_dir(), ignored);
  std::vector<std::string> argv = {CHOREOD_PATH, "--listen=127.0.0.1:" + std::to_string(kept_port_),
                                   "--data-dir=" + data_dir().string(), "--fsync=" + options_.fsync,
                                   "--port-file=" + port_file.string(),
                                   // Port 0: tests run in parallel; extra_flags may override.
                                   "--http-listen=127.0.0.1:0",
                                   "--http-port-file=" + http_port_file.string()};
  argv.insert(argv.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  const std::filesystem::path log = work_dir_ / "broker.log";
  pid_ = Spawn(argv, "/dev/null", log, log);
  if (pid_ < 0) {
    return ::testing::AssertionFailure()
           << "cannot start " << CHOREOD_PATH << ": " << std::strerror(errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  for (;;) {
    port_ = ReadPort(port_file);
    if (port_ != 0) {
      http_port_ = ReadPort(http_port_file);  // written before the port file; 0 if disabled
      if (options_.keep_port) kept_port_ = port_;
      return ::testing::AssertionSuccess();
    }
    const int exit_code = WaitForExit(pid_, milliseconds(0));
    if (exit_code != -1) {
      pid_ = -1;
      return ::testing::AssertionFailure()
             << "choreod exited with status " << exit_code << " before listening; log:\n"
             << LogTail();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      Kill();
      return ::testing::AssertionFailure() << "choreod did not write its port file within "
                                           << options_.start_timeout.count() << " ms; log:\n"
                                           << LogTail();
    }
    std::this_thread::sleep_for(milliseconds(10));  // polling the port file, with a deadline
  }
}

::testing::AssertionResult BrokerProcess::Stop() {
  if (!running()) return ::testing::AssertionFailure() << "broker not running";
  kill(pid_, SIGTERM);
  const int exit_code = WaitForExit(pid_, options_.stop_timeout);
  if (exit_code == -1) {
    Kill();
    return ::testing::AssertionFailure()
           << "choreod did not exit within " << options_.stop_timeout.count()
           << " ms of SIGTERM; log:\n"
           << LogTail();
  }
  pid_ = -1;
  port_ = 0;
  if (exit_code != 0) {
    return ::testing::AssertionFailure()
           << "choreod exited with status " << exit_code << " after SIGTERM; log:\n"
           << LogTail();
  }
  return ::testing::AssertionSuccess();
}

void BrokerProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  WaitForExit(pid_, std::chrono::seconds(30));
  pid_ = -1;
  port_ = 0;
}

::testing::AssertionResult BrokerProcess::Restart() {
  if (::testing::AssertionResult stopped = Stop(); !stopped) return stopped;
  return Start();
}

std::string BrokerProcess::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string BrokerProcess::LogTail(size_t bytes) const {
  const std::string log = ReadFile(work_dir_ / "broker.log");
  return log.size() <= bytes ? log : log.substr(log.size() - bytes);
}

}  // namespace choreo::e2e
