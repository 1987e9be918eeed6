#include "choreo/testing/test_broker.h"

#include "choreo/client/topic_reader.h"

#include <absl/status/status.h>
#include <absl/time/time.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <system_error>

#include "broker/group/group_log.h"
#include "broker/logging.h"
#include "choreo/broker/broker.h"
#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"

namespace choreo::testing {
namespace {

// The broker speaks absl::Status; the test API speaks the client's Status.
Status FromAbsl(const absl::Status& status, std::string_view context) {
  if (status.ok()) return OkStatus();
  ErrorCode code = ErrorCode::kStorageError;
  if (status.code() == absl::StatusCode::kInvalidArgument) code = ErrorCode::kInvalidArgument;
  if (status.code() == absl::StatusCode::kUnavailable) code = ErrorCode::kConnectionFailed;
  return Status(code, std::string(context) + ": " + status.ToString());
}

Status SetLogLevel(const std::string& name) {
  const spdlog::level::level_enum level = spdlog::level::from_str(name);
  // from_str answers "off" for anything it does not know; only "off" itself may mean that.
  if (level == spdlog::level::off && name != "off") {
    return Status(ErrorCode::kInvalidArgument, "unknown log level '" + name + "'");
  }
  for (spdlog::logger* logger :
       {&broker::BrokerLog(), &broker::NetLog(), &broker::HandlerLog(), &broker::GroupLog()}) {
    logger->set_level(level);
  }
  return OkStatus();
}

Result<std::string> MakeTempDir(const std::string& parent) {
  std::error_code ec;
  std::filesystem::path base =
      parent.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(parent);
  if (ec) return Status(ErrorCode::kStorageError, "no temporary directory: " + ec.message());
  std::string pattern = (base / "choreo-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status(ErrorCode::kStorageError, "cannot create a directory in '" + base.string() +
                                                "': " + std::generic_category().message(errno));
  }
  return pattern;
}

}  // namespace

class TestBroker::Impl {
 public:
  Impl(TestBrokerOptions options, std::string data_dir)
      : options_(std::move(options)), data_dir_(std::move(data_dir)) {}

  ~Impl() {
    (void)Stop();  // nobody to tell; a failed close is the broker's log's business
    if (!options_.keep_data_dir) {
      std::error_code ignored;
      std::filesystem::remove_all(data_dir_, ignored);
    }
  }

  // Starts the broker on `port` (0: an ephemeral one).
  Status Run(uint16_t port) {
    broker::BrokerOptions b;
    b.listen = "127.0.0.1:" + std::to_string(port);
    b.http_listen = "";
    b.broker_id = "choreo-test";
    b.store.data_dir = data_dir_;
    absl::StatusOr<storage::FsyncPolicy> fsync = storage::ParseFsyncPolicy(options_.fsync);
    if (!fsync.ok()) return FromAbsl(fsync.status(), "TestBrokerOptions::fsync");
    b.store.fsync = *fsync;
    // A test broker serves a handful of clients; keep its thread count small.
    b.io_threads = 2;
    b.storage_threads = 2;
    b.auto_create_topics = options_.auto_create_topics;
    b.default_partitions = std::max<uint32_t>(options_.default_partitions, 1);
    b.max_batch_bytes = options_.max_batch_bytes;
    b.group_session_timeout = absl::FromChrono(options_.group_session_timeout);
    b.group_heartbeat_interval = absl::FromChrono(options_.group_heartbeat_interval);
    // Clients of a test are usually gone or idle at shutdown; do not wait 10 s for stragglers.
    b.shutdown_grace = absl::Seconds(2);
    absl::StatusOr<std::unique_ptr<broker::Broker>> started = broker::Broker::Start(std::move(b));
    if (!started.ok()) return FromAbsl(started.status(), "starting the test broker");
    broker_ = *std::move(started);
    port_ = broker_->port();
    return OkStatus();
  }

  Status Stop() {
    if (!broker_) return OkStatus();
    absl::Status closed = broker_->Shutdown();
    broker_.reset();
    return FromAbsl(closed, "stopping the test broker");
  }

  const TestBrokerOptions& options() const { return options_; }
  const std::string& data_dir() const { return data_dir_; }
  uint16_t port() const { return port_; }

 private:
  const TestBrokerOptions options_;
  const std::string data_dir_;
  uint16_t port_ = 0;
  std::unique_ptr<broker::Broker> broker_;
};

Result<std::unique_ptr<TestBroker>> TestBroker::Start(const TestBrokerOptions& options) {
  if (Status s = SetLogLevel(options.log_level); !s.ok()) return s;
  Result<std::string> dir = MakeTempDir(options.temp_dir);
  if (!dir.ok()) return dir.status();
  auto impl = std::make_unique<Impl>(options, *std::move(dir));  // removes the directory on error
  if (Status s = impl->Run(0); !s.ok()) return s;
  return std::unique_ptr<TestBroker>(new TestBroker(std::move(impl)));
}

TestBroker::TestBroker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestBroker::~TestBroker() = default;

std::string TestBroker::address() const {
  return "127.0.0.1:" + std::to_string(impl_->port());
}

uint16_t TestBroker::port() const {
  return impl_->port();
}

const std::string& TestBroker::data_dir() const {
  return impl_->data_dir();
}

ClientOptions TestBroker::client_options() const {
  ClientOptions options;
  options.broker = address();
  options.client_id = "choreo-test";
  options.connect_timeout = std::chrono::milliseconds(5000);
  options.request_timeout = std::chrono::milliseconds(10000);
  return options;
}

Status TestBroker::CreateTopic(std::string_view name, uint32_t partitions) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(client_options());
  if (!admin.ok()) return admin.status();
  TopicSettings settings;
  settings.partitions = partitions == 0 ? impl_->options().default_partitions : partitions;
  return (*admin)->CreateTopic(name, settings);
}

Result<std::vector<ConsumedRecord>> TestBroker::ReadAll(std::string_view topic) {
  const ClientOptions client = client_options();
  std::vector<ConsumedRecord> out;
  Status read = ReadTopicToEnd(client, topic, client.request_timeout,
                               [&](ConsumedRecord&& r) { out.push_back(std::move(r)); });
  if (!read.ok()) return read;
  std::stable_sort(out.begin(), out.end(), [](const ConsumedRecord& a, const ConsumedRecord& b) {
    return a.partition < b.partition || (a.partition == b.partition && a.offset < b.offset);
  });
  return out;
}

Status TestBroker::Restart() {
  const uint16_t port = impl_->port();
  if (Status stopped = impl_->Stop(); !stopped.ok()) return stopped;
  return impl_->Run(port);
}

}  // namespace choreo::testing
