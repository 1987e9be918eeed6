#include "common/service_main.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "choreo/saga/envelope.h"
#include "choreo/saga/processed_store.h"

namespace order_saga {

const char kClientFlagsUsage[] =
    "  --broker=HOST:PORT         the broker (default localhost:7420)\n"
    "  --tls-ca=FILE              connect with TLS and verify the broker against this PEM CA\n"
    "                             (any --tls-* flag turns TLS on; without --tls-ca: the system's\n"
    "                             CAs); the host of --broker must be in its certificate\n"
    "  --tls-cert=FILE            PEM client certificate, for a broker that requires one\n"
    "  --tls-key=FILE             (choreod --tls-ca), and its private key\n"
    "  --user=NAME                authenticate as NAME (choreod --auth=sasl; SCRAM-SHA-256)\n"
    "  --password-file=FILE       NAME's password: the file's first line. Never a flag (`ps`\n"
    "                             shows argv to every local user) nor an environment variable\n"
    "                             (inherited by every child, kept in /proc/PID/environ): a file\n"
    "                             only the service can read (chmod 600), e.g. a systemd\n"
    "                             credential or a mounted secret\n";

const char kServiceFlagsUsage[] =
    "  --state-dir=DIR            where the service keeps its inbox and files (default ./state)\n"
    "  --workers=N                handler threads (default 4)\n"
    "  --partitions=N             partitions of the topics it creates (default 4)\n"
    "  --session-timeout-ms=MS    group session timeout (default 10000)\n"
    "  --instance-id=ID           static group membership: a restart with the same id takes its\n"
    "                             partitions back at once (default: none)\n";

namespace {

// The first line of `path` (without its line end): the password. Exits on an unreadable or empty
// file, and warns when other users may read it.
std::string ReadPasswordFile(Flags& flags, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) flags.Fail("--password-file: cannot read " + path + ": " + std::strerror(errno));
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty())
    flags.Fail("--password-file: " + path + " has no password on its first line");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::fprintf(stderr, "warning: %s can be read by other users (chmod 600 it)\n", path.c_str());
  }
  return password;
}

}  // namespace

choreo::ClientOptions ReadClientFlags(Flags& flags, std::string_view client_id) {
  choreo::ClientOptions client;
  client.broker = flags.String("broker", "localhost:7420");
  client.client_id = std::string(client_id);
  client.tls.ca_file = flags.String("tls-ca", "");
  client.tls.cert_file = flags.String("tls-cert", "");
  client.tls.key_file = flags.String("tls-key", "");
  client.tls.enabled =
      !client.tls.ca_file.empty() || !client.tls.cert_file.empty() || !client.tls.key_file.empty();
  if (client.tls.cert_file.empty() != client.tls.key_file.empty()) {
    flags.Fail("--tls-cert and --tls-key go together");
  }
  const std::string user = flags.String("user", "");
  const std::string password_file = flags.String("password-file", "");
  if (user.empty() != password_file.empty()) {
    flags.Fail("--user and --password-file go together (the password is never a flag)");
  }
  if (!user.empty()) {
    client.sasl.username = user;
    client.sasl.password = ReadPasswordFile(flags, password_file);
  }
  return client;
}

ServiceFlags ReadServiceFlags(Flags& flags, std::string_view service) {
  ServiceFlags out;
  out.client = ReadClientFlags(flags, service);
  out.state_dir = flags.String("state-dir", "state");
  const int64_t workers = flags.Int("workers", 4);
  const int64_t partitions = flags.Int("partitions", 4);
  const int64_t session_ms = flags.Int("session-timeout-ms", 10000);
  if (workers < 1 || workers > 256) flags.Fail("--workers must be in 1..256");
  if (partitions < 1 || partitions > 1024) flags.Fail("--partitions must be in 1..1024");
  if (session_ms < 100) flags.Fail("--session-timeout-ms must be at least 100");
  out.workers = static_cast<uint32_t>(workers);
  out.partitions = static_cast<uint32_t>(partitions);
  out.session_timeout = std::chrono::milliseconds(session_ms);
  out.instance_id = flags.String("instance-id", "");
  return out;
}

choreo::saga::ServiceOptions ServiceOptionsFor(std::string_view service,
                                               const ServiceFlags& flags) {
  std::error_code error;
  std::filesystem::create_directories(flags.state_dir, error);
  if (error) {
    Die("cannot create " + flags.state_dir.string(),
        choreo::Status(choreo::ErrorCode::kStorageError, error.message()));
  }
  const std::filesystem::path inbox = flags.state_dir / (std::string(service) + ".inbox");
  auto store = choreo::saga::OpenFileProcessedStore(inbox.string());
  if (!store.ok()) Die("cannot open " + inbox.string(), store.status());

  choreo::saga::ServiceOptions options;
  options.client = flags.client;
  options.service = std::string(service);
  options.workers = flags.workers;
  options.create_topic_partitions = flags.partitions;
  options.session_timeout = flags.session_timeout;
  options.instance_id = flags.instance_id;
  options.processed_store = std::shared_ptr<choreo::saga::ProcessedStore>(std::move(*store));
  // The service's own reports (resent steps, dead letters, fatal errors) go to the same log.
  options.logger = [name = std::string(service)](choreo::saga::LogLevel level,
                                                 std::string_view text) {
    static constexpr const char* kLevels[] = {"debug: ", "info: ", "warning: ", "error: "};
    if (level == choreo::saga::LogLevel::kDebug) return;
    Log(name, kLevels[static_cast<int>(level)] + std::string(text));
  };
  return options;
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int RunUntilStopped(choreo::saga::SagaService& service, std::string_view name) {
  // A thread waits for the signal and calls Stop(), which makes Run() return; when Run() returns
  // on its own (a fatal error), SIGTERM sent to that thread alone wakes it up.
  std::atomic<bool> finished{false};
  std::thread signal_thread([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int signal_number = 0;
    sigwait(&set, &signal_number);
    if (finished.load()) return;
    Log(name, signal_number == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
    service.Stop();
  });
  Log(name, "running");
  const choreo::Status status = service.Run();
  finished.store(true);
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (!status.ok()) {
    std::fprintf(stderr, "error: %.*s stopped: %s\n", static_cast<int>(name.size()), name.data(),
                 status.ToString().c_str());
    return 1;
  }
  const choreo::saga::ServiceStats stats = service.Stats();
  Log(name, "stopped after " + std::to_string(stats.steps_committed) + " steps, " +
                std::to_string(stats.events_published) + " events published");
  return 0;
}

void Log(std::string_view service, std::string_view text) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string line = choreo::saga::FormatRfc3339(now_ms);
  line += ' ';
  line += service;
  line += ' ';
  line += text;
  line += '\n';
  // One fwrite per line: stdio locks the stream per call, so lines of different threads never mix,
  // and flushing each line keeps the log complete up to a SIGKILL.
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void Die(std::string_view what, const choreo::Status& status) {
  std::fprintf(stderr, "error: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::exit(1);
}

std::string_view ShortId(std::string_view id) {
  return id.substr(0, 8);
}

namespace {
std::mt19937_64& Engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}
}  // namespace

bool Chance(double probability) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(Engine()) < probability;
}

int64_t RandomInt(int64_t low, int64_t high) {
  return std::uniform_int_distribution<int64_t>(low, high)(Engine());
}

std::string RandomHex(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (char& c : out)
    c = kHex[RandomInt(0, 15)];
  return out;
}

}  // namespace order_saga
