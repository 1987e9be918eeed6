// Running the real choreod as an operator would: the data directory lock, SIGTERM under load,
// --config files, the HTTP endpoints and `choreo topic alter/describe`.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/broker/prometheus_text.h"
#include "tests/broker/raw_connection.h"
#include "tests/e2e/broker_test_base.h"

#ifndef CHOREO_CLI_PATH
#error "CHOREO_CLI_PATH must name the choreo binary"
#endif

namespace choreo::e2e {
namespace {

using broker::testing::HttpGet;
using broker::testing::IsValidPrometheusText;
using broker::testing::SampleValue;

class OperationsTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    // keep_port: producers reconnect to the same address after a restart.
    return {.extra_flags = {"--shutdown-grace-ms=5000"}, .keep_port = true};
  }

  ProcessResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {CHOREO_CLI_PATH, "--broker", broker_->address()});
    return RunProcess(args, "", dir_.path());
  }
};

TEST_F(OperationsTest, SecondChoreodOnTheSameDataDirectoryFailsAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  ProcessResult second = RunProcess({CHOREOD_PATH, "--data-dir=" + broker_->data_dir().string(),
                                     "--listen=127.0.0.1:0", "--http-listen=127.0.0.1:0"},
                                    "", dir_.path(), std::chrono::seconds(30));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(
      second.err.find("data directory " + broker_->data_dir().string() +
                      " is in use by another choreod (pid " + std::to_string(broker_->pid()) + ")"),
      std::string::npos)
      << second.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The first one never noticed.
  EXPECT_EQ(HttpGet(broker_->http_port(), "/readyz").status, 200);
  CreateTopic("still-serving", 1);
}

// Producers keep sending while choreod gets SIGTERM: it must exit 0 promptly, and every record it
// acknowledged must be there after the restart (the producers then finish on the new process).
TEST_F(OperationsTest, SigtermUnderLoadLosesNoAcknowledgedRecord) {
  CreateTopic("load", 4);
  struct Ack {
    uint32_t partition;
    int64_t offset;
    std::string value;
  };
  std::mutex mu;
  std::vector<Ack> acked;
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Producer>> producers;
  for (int p = 0; p < 3; ++p)
    producers.push_back(CreateProducer());
  std::vector<std::thread> senders;
  for (int p = 0; p < 3; ++p) {
    senders.emplace_back([&, p] {
      for (int n = 0; !stop; ++n) {
        std::string value = "p" + std::to_string(p) + "-" + std::to_string(n);
        producers[p]->Send(
            "load",
            Record{.key = std::to_string(n % 16), .value = value, .headers = {}, .timestamp_ms = 0},
            std::nullopt, [&, value](const Result<RecordMetadata>& r) {
              if (!r.ok()) return;
              std::lock_guard lock(mu);
              acked.push_back({r->partition, r->offset, value});
            });
        if (n % 64 == 63) std::this_thread::yield();
      }
    });
  }
  auto acked_count = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  };
  const auto load_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (acked_count() < 5000 && std::chrono::steady_clock::now() < load_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling, with a deadline
  ASSERT_GE(acked_count(), 5000u) << broker_->LogTail();

  // A scrape under load is valid exposition text and shows the traffic.
  const std::string metrics = HttpGet(broker_->http_port(), "/metrics").body;
  EXPECT_TRUE(IsValidPrometheusText(metrics));
  EXPECT_GT(SampleValue(metrics, "choreo_requests_total{api=\"produce\"}").value_or(0), 0);

  const auto sigterm = std::chrono::steady_clock::now();
  ASSERT_TRUE(broker_->Stop());  // SIGTERM; asserts a clean exit (status 0)
  const auto stop_time = std::chrono::steady_clock::now() - sigterm;
  EXPECT_LT(stop_time, std::chrono::seconds(8)) << "grace is 5 s";
  const std::vector<Ack> before_restart = [&] {
    std::lock_guard lock(mu);
    return acked;
  }();
  // Senders blocked on a full producer buffer resume once the restarted broker drains it.
  stop = true;
  ASSERT_TRUE(broker_->Start());
  for (std::thread& sender : senders)
    sender.join();
  for (auto& producer : producers)
    EXPECT_TRUE(producer->Flush(std::chrono::seconds(60)).ok());
  const auto records = ReadTopic(Client(), "load");
  std::map<std::pair<uint32_t, int64_t>, std::string> stored;
  for (const auto& [partition, list] : records)
    for (const ConsumedRecord& r : list)
      stored[{partition, r.offset}] = r.record.value;
  size_t missing = 0;
  for (const Ack& ack : before_restart) {
    auto it = stored.find({ack.partition, ack.offset});
    if (it == stored.end() || it->second != ack.value) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << before_restart.size()
                         << " records acknowledged before SIGTERM";
  std::printf("SIGTERM under load: %zu records acknowledged before it, exit after %lld ms\n",
              before_restart.size(),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(stop_time).count()));
}

TEST_F(OperationsTest, HealthEndpointsAndTopicAlterFromTheCli) {
  EXPECT_EQ(HttpGet(broker_->http_port(), "/healthz").body, "ok\n");
  EXPECT_EQ(HttpGet(broker_->http_port(), "/readyz").body, "ready\n");

  ASSERT_EQ(Cli({"topic", "create", "orders", "--partitions", "2"}).exit_code, 0);
  ProcessResult altered = Cli({"topic", "alter", "orders", "--partitions", "5", "--retention-ms",
                               "86400000", "--max-message-bytes", "65536"});
  ASSERT_EQ(altered.exit_code, 0) << altered.err;
  EXPECT_NE(altered.out.find("partitions: 5\n"), std::string::npos) << altered.out;
  ProcessResult described = Cli({"topic", "describe", "orders"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("partitions: 5\nretention.ms: 86400000\n"
                               "retention.bytes: -1 (unlimited)\nmax.message.bytes: 65536\n"),
            std::string::npos)
      << described.out;
  EXPECT_NE(described.out.find("4\t0\t0\n"), std::string::npos) << described.out;

  ProcessResult shrink = Cli({"topic", "alter", "orders", "--partitions", "3"});
  EXPECT_EQ(shrink.exit_code, 1);
  EXPECT_NE(shrink.err.find("INVALID_TOPIC"), std::string::npos) << shrink.err;
}

TEST(OperationsConfigTest, ConfigFileSetsFlagsAndTheCommandLineOverridesIt) {
  TempDir dir;
  WriteFile(dir.path() / "choreod.conf",
            "# choreod configuration\n"
            "--auto-create-topics=true\n"
            "--default-partitions=3\n"
            "--default-retention-ms=1000\n");
  BrokerProcess broker(dir.path(),
                       {.extra_flags = {"--config", (dir.path() / "choreod.conf").string(),
                                        "--default-retention-ms=7200000"}});
  ASSERT_TRUE(broker.Start());
  ProcessResult produced = RunProcess(
      {CHOREO_CLI_PATH, "--broker", broker.address(), "produce", "auto", "--partition", "2"},
      "hello\n", dir.path());
  EXPECT_EQ(produced.exit_code, 0) << produced.err;
  ProcessResult described = RunProcess(
      {CHOREO_CLI_PATH, "--broker", broker.address(), "topic", "describe", "auto"}, "", dir.path());
  EXPECT_NE(described.out.find("partitions: 3\nretention.ms: 7200000\n"), std::string::npos)
      << described.out << described.err;
  EXPECT_TRUE(broker.Stop());
}

// --storage-compression=lz4 serves and keeps data across a restart with compression switched off
// again (RocksDB reads files of either kind); an unknown value is refused before anything opens.
TEST(OperationsConfigTest, StorageCompressionCanBeSwitchedAndBadValuesAreRefused) {
  TempDir dir;
  ProcessResult bad = RunProcess({CHOREOD_PATH, "--data-dir=" + (dir.path() / "data").string(),
                                  "--storage-compression=snappy", "--listen=127.0.0.1:0"},
                                 "", dir.path(), std::chrono::seconds(30));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE((bad.out + bad.err).find("--storage-compression must be none or lz4, not 'snappy'"),
            std::string::npos)
      << bad.out << bad.err;

  auto cli = [&](BrokerProcess& broker, std::vector<std::string> args, const std::string& in) {
    args.insert(args.begin(), {CHOREO_CLI_PATH, "--broker", broker.address()});
    return RunProcess(args, in, dir.path());
  };
  {
    BrokerProcess lz4(dir.path(), {.extra_flags = {"--storage-compression=lz4"}});
    ASSERT_TRUE(lz4.Start());
    EXPECT_EQ(cli(lz4, {"topic", "create", "t", "--partitions", "1"}, "").exit_code, 0);
    ProcessResult produced = cli(lz4, {"produce", "t"}, "one\ntwo\n");
    EXPECT_EQ(produced.exit_code, 0) << produced.err;
    EXPECT_TRUE(lz4.Stop());
  }
  BrokerProcess plain(dir.path(), {});
  ASSERT_TRUE(plain.Start());
  ProcessResult consumed = cli(plain, {"consume", "t", "--from-beginning", "--max", "2"}, "");
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, "one\ntwo\n");
  EXPECT_TRUE(plain.Stop());
}

}  // namespace
}  // namespace choreo::e2e
