// TestBroker: a real choreo broker running inside the test process, for users' tests of code
// built on choreo::client and choreo::saga.
//
//   auto broker = choreo::testing::TestBroker::Start().value();
//   ASSERT_TRUE(broker->CreateTopic("orders", 4).ok());
//   choreo::ProducerOptions options{.client = broker->client_options()};
//   ... run the code under test against broker->address() ...
//   auto records = broker->ReadAll("payments").value();   // every partition, offset order
//
// It is the same broker choreod runs (storage on RocksDB, the group coordinator, every request),
// listening on 127.0.0.1 with an ephemeral port, with a fresh temporary data directory. Instances
// are independent: several may run in one process (each has its own port and directory).
//
// Linking: target `choreo_testing` (alias `choreo::testing`). It links the broker and storage
// libraries, and so RocksDB, abseil and spdlog; choreo::client and choreo::saga do not. This
// header includes only client headers.
//
// Lifecycle: Start() returns a serving broker; the destructor shuts it down (in-flight requests are
// answered, clients see their connections close) and removes the data directory. Restart() stops
// and starts it again on the same directory and port, so data, committed offsets and producer
// state survive and clients reconnect to the same address.
//
// Threading: the broker serves on its own threads. TestBroker's methods may be called from any
// thread, but not concurrently with Restart() or the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo::testing {

struct TestBrokerOptions {
  // WAL durability: "always" (fsync every group commit), "interval" or "never". Tests seldom
  // need fsyncs; data still survives Restart() under "never". Default: "never".
  std::string fsync = "never";
  // Create an unknown topic (with `default_partitions`) when it is produced to or named in a
  // metadata request. Default: true.
  bool auto_create_topics = true;
  // Partitions of an auto-created topic, or of CreateTopic with 0 partitions. Default: 1.
  uint32_t default_partitions = 1;
  // Session timeout of a group member that does not ask for one (members may ask for as little as
  // 100 ms). Default: 10 s.
  std::chrono::milliseconds group_session_timeout{10000};
  // Longest heartbeat interval handed to group members (never more than a third of a member's
  // session timeout). Lower it to make rebalances in tests quicker. Default: 1 s.
  std::chrono::milliseconds group_heartbeat_interval{1000};
  // Largest record batch accepted. Default: 16 MiB.
  uint64_t max_batch_bytes = 16ull << 20;
  // Where the temporary data directory is made ("choreo-test-XXXXXX" inside it). Default: empty,
  // the system's temporary directory ($TMPDIR or /tmp).
  std::string temp_dir = {};
  // Keep the data directory when the TestBroker is destroyed (to look at it after a failure).
  // Default: false.
  bool keep_data_dir = false;
  // Level of the broker's loggers ("broker", "net", "handlers", "group"): "trace", "debug",
  // "info", "warn", "error" or "off". These loggers are process-wide, so the last TestBroker
  // started sets it for all. Other spdlog loggers are untouched. Default: "warn".
  std::string log_level = "warn";
};

class TestBroker {
 public:
  // Makes a temporary data directory and starts a broker on 127.0.0.1:0 over it. Errors:
  // kInvalidArgument (bad options), kStorageError (the directory or the store), kConnectionFailed
  // (cannot listen).
  static Result<std::unique_ptr<TestBroker>> Start(const TestBrokerOptions& options = {});

  // Shuts the broker down and removes its data directory (unless keep_data_dir).
  ~TestBroker();
  TestBroker(const TestBroker&) = delete;
  TestBroker& operator=(const TestBroker&) = delete;

  // "127.0.0.1:<port>".
  std::string address() const;
  uint16_t port() const;
  // The data directory (exists until destruction, unless keep_data_dir).
  const std::string& data_dir() const;
  // ClientOptions with broker = address(), client_id "choreo-test", and 5 s connect and 10 s
  // request timeouts; every other field at its default.
  ClientOptions client_options() const;

  // Creates a topic with `partitions` partitions (0: default_partitions) and the broker's default
  // retention (none). Errors: kTopicAlreadyExists, kInvalidTopic, the connection's.
  Status CreateTopic(std::string_view name, uint32_t partitions);
  // Every record of `topic` present when called (up to each partition's high watermark at the
  // call), partition by partition, in offset order. Errors: kUnknownTopic, kTimeout (not read
  // within the request timeout), the connection's.
  Result<std::vector<ConsumedRecord>> ReadAll(std::string_view topic);

  // Shuts the broker down and starts it again on the same data directory and port. Connected
  // clients lose their connections (producers and consumers reconnect by themselves). Errors: as
  // Start(); kConnectionFailed if the port was taken meanwhile. After an error the TestBroker is
  // stopped and only the destructor (or another Restart()) may be called.
  Status Restart();

  class Impl;

 private:
  explicit TestBroker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::testing
