#include "bench/common/spawned_broker.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace choreo::bench {

absl::StatusOr<std::unique_ptr<SpawnedBroker>> SpawnedBroker::Start(
    const std::string& choreod_path, const std::vector<std::string>& extra_flags,
    const std::string& data_dir) {
  std::string templ = (std::filesystem::temp_directory_path() / "choreo-bench-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", strerror(errno)));
  }
  auto broker = std::unique_ptr<SpawnedBroker>(new SpawnedBroker());
  broker->temp_dir_ = templ;
  const std::string port_file = templ + "/port";
  const std::string http_port_file = templ + "/http_port";
  std::vector<std::string> args = {choreod_path,
                                   "--listen=127.0.0.1:0",
                                   "--data-dir=" + (data_dir.empty() ? templ + "/data" : data_dir),
                                   "--port-file=" + port_file,
                                   "--log-level=warn",
                                   "--http-listen=127.0.0.1:0",
                                   "--http-port-file=" + http_port_file};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  broker->pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    // choreod writes the HTTP port file first, so once the port file is there both are.
    std::ifstream in(port_file);
    std::ifstream http_in(http_port_file);
    int port = 0;
    int http_port = 0;
    if (in >> port && port > 0 && http_in >> http_port && http_port > 0) {
      broker->port_ = port;
      broker->http_port_ = http_port;
      return broker;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      broker->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("choreod (", choreod_path, ") exited before listening, status ", status));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("choreod did not start listening within 30 s");
}

SpawnedBroker::~SpawnedBroker() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
}

int64_t DirectoryBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

int64_t ProcessRssBytes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      int64_t kib = 0;
      if (fields >> kib) return kib * 1024;
    }
  }
  return -1;
}

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
  // utime and stime are fields 14 and 15.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 13; ++i)
    fields >> field;
  int64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string DefaultChoreodPath() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto sibling = self.parent_path() / "choreod";
    if (std::filesystem::exists(sibling)) return sibling.string();
  }
  return "choreod";
}

}  // namespace choreo::bench
