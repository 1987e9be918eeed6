#include "bench/soak/broker_supervisor.h"

#include <absl/strings/str_cat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace choreo::soak {
namespace {

// A port the kernel considers free now. Another process could take it before choreod binds it;
// on loopback during a soak run that is unlikely enough, and Start() then fails loudly.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

BrokerSupervisor::BrokerSupervisor(std::string choreod_path, std::string data_dir,
                                   std::vector<std::string> flags)
    : choreod_path_(std::move(choreod_path)),
      data_dir_(std::move(data_dir)),
      flags_(std::move(flags)),
      port_(FreeLoopbackPort()),
      http_port_(FreeLoopbackPort()) {}

BrokerSupervisor::~BrokerSupervisor() {
  if (pid_ > 0) Stop(SIGTERM);
}

absl::Status BrokerSupervisor::Start() {
  if (pid_ > 0) return absl::FailedPreconditionError("choreod is already running");
  if (port_ == 0 || http_port_ == 0) return absl::InternalError("no free loopback port");
  std::vector<std::string> args = {choreod_path_, absl::StrCat("--listen=127.0.0.1:", port_),
                                   absl::StrCat("--http-listen=127.0.0.1:", http_port_),
                                   "--data-dir=" + data_dir_, "--log-level=warn"};
  args.insert(args.end(), flags_.begin(), flags_.end());
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
  pid_ = pid;
  // Start-up includes RocksDB recovery after a SIGKILL, which grows with the WAL: allow a minute.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Accepts(port_)) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat(choreod_path_, " exited before listening (wait status ", status, ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("choreod did not accept connections within 60 s");
}

int BrokerSupervisor::Stop(int signal) {
  if (pid_ <= 0) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

}  // namespace choreo::soak
