// Clients started before the broker (issue 14, item 10): Producer, Consumer and Admin are created
// while nothing listens on the broker's port, then choreod starts there and records flow. A
// producer whose broker never comes fails its records after max_block; a bad address still fails
// creation at once. The `choreo` tool fails fast unless given --wait.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "choreo/saga/service.h"
#include "tests/e2e/broker_test_base.h"

#ifndef CHOREO_CLI_PATH
#error "CHOREO_CLI_PATH must name the choreo binary"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The broker is started once to learn its port, then stopped: each test starts clients against
// that address with nothing listening, and restarts the broker there when it wants it.
class StartBeforeBrokerTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    return {.extra_flags = {"--auto-create-topics=true"}, .keep_port = true};
  }
  void SetUp() override {
    BrokerTest::SetUp();
    if (HasFatalFailure()) return;
    address_ = broker_->address();
    ASSERT_TRUE(broker_->Stop());
  }
  ClientOptions Offline() const {
    ClientOptions options;
    options.broker = address_;
    options.client_id = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    options.request_timeout = seconds(60);  // Admin calls wait this long for the broker
    return options;
  }

  std::string address_;
};

TEST_F(StartBeforeBrokerTest, ClientsCreatedBeforeTheBrokerWorkOnceItIsUp) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Offline());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Result<std::unique_ptr<Producer>> producer = Producer::Create({.client = Offline()});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  ConsumerOptions consumer_options{.client = Offline()};
  consumer_options.group_id = "early";
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(consumer_options);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->Subscribe({"orders"}).ok());

  // Sends wait for the topic's metadata, an Admin call for its connection, Poll() sees nothing.
  std::vector<std::future<Result<RecordMetadata>>> acks;
  for (int i = 0; i < 10; ++i) {
    const std::string value = "order-" + std::to_string(i);
    acks.push_back((*producer)->Send(
        "orders", Record{.key = value, .value = value, .headers = {}, .timestamp_ms = 0}));
  }
  std::future<Result<std::vector<TopicDescription>>> topics =
      std::async(std::launch::async, [&] { return (*admin)->ListTopics(); });
  Result<std::vector<ConsumedRecord>> nothing = (*consumer)->Poll(milliseconds(100));
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE(nothing->empty());

  ASSERT_TRUE(broker_->Start());
  ASSERT_EQ(broker_->address(), address_);
  for (auto& ack : acks) {
    Result<RecordMetadata> result = ack.get();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
  }
  Result<std::vector<TopicDescription>> listed = topics.get();
  EXPECT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> values;
  const Clock::time_point deadline = Clock::now() + seconds(60);
  while (values.size() < 10 && Clock::now() < deadline) {
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(milliseconds(200));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    for (const ConsumedRecord& r : *records)
      values.push_back(r.record.value);
  }
  EXPECT_EQ(values.size(), 10u);
  EXPECT_TRUE((*consumer)->Close().ok());
  EXPECT_TRUE((*producer)->Close(seconds(10)).ok());
}

TEST_F(StartBeforeBrokerTest, AssignWaitsForTheBroker) {
  ASSERT_TRUE(broker_->Start());
  CreateTopic("orders", 1);
  ASSERT_TRUE(broker_->Stop());
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create({.client = Offline()});
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  std::future<Status> assigned = std::async(std::launch::async, [&] {
    return (*consumer)->Assign({{.partition = {"orders", 0}, .offset = std::nullopt}});
  });
  ASSERT_TRUE(broker_->Start());
  const Status status = assigned.get();
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(StartBeforeBrokerTest, SendFailsAfterMaxBlockWhenTheBrokerNeverComes) {
  ProducerOptions options{.client = Offline()};
  options.max_block = milliseconds(300);
  Result<std::unique_ptr<Producer>> producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  Result<RecordMetadata> result =
      (*producer)
          ->Send("orders", Record{.key = "", .value = "v", .headers = {}, .timestamp_ms = 0})
          .get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTimeout);
  const std::string& message = result.status().message();
  EXPECT_NE(message.find("max_block (300 ms)"), std::string::npos) << message;
  EXPECT_NE(message.find("not connected to the broker"), std::string::npos) << message;
  EXPECT_NE(message.find(address_), std::string::npos) << message;
  // Close() does not wait for a connection either.
  EXPECT_TRUE((*producer)->Close(seconds(5)).ok());
}

TEST_F(StartBeforeBrokerTest, AdminCallsFailAfterTheirTimeoutWhenTheBrokerNeverComes) {
  ClientOptions options = Offline();
  options.request_timeout = milliseconds(300);
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Result<std::vector<TopicDescription>> topics = (*admin)->ListTopics();
  ASSERT_FALSE(topics.ok());
  EXPECT_EQ(topics.status().code(), ErrorCode::kConnectionFailed);
  EXPECT_NE(topics.status().message().find(address_), std::string::npos)
      << topics.status().message();
}

TEST_F(StartBeforeBrokerTest, BadConfigurationStillFailsCreateAtOnce) {
  ClientOptions bad = Offline();
  bad.broker = "localhost:notaport";
  EXPECT_EQ(Admin::Connect(bad).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Producer::Create({.client = bad}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Consumer::Create({.client = bad}).status().code(), ErrorCode::kInvalidArgument);
  ClientOptions tiny = Offline();
  tiny.max_frame_bytes = 10;
  EXPECT_EQ(Producer::Create({.client = tiny}).status().code(), ErrorCode::kInvalidArgument);
}

saga::ServiceOptions SagaOptions(const ClientOptions& client) {
  saga::ServiceOptions options;
  options.client = client;
  options.service = "early-service";
  options.topics = {"early.events"};
  options.create_topic_partitions = 1;
  return options;
}

// A saga service started before the broker: Start() waits for it (schema check and topics are
// its first calls), then runs.
TEST_F(StartBeforeBrokerTest, SagaServiceStartWaitsForTheBroker) {
  Result<std::unique_ptr<saga::SagaService>> service =
      saga::SagaService::Create(SagaOptions(Offline()));
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  (*service)->OnRaw("test.Thing",
                    [](saga::HandlerContext&, std::string_view) { return OkStatus(); });
  std::future<Status> started = std::async(std::launch::async, [&] { return (*service)->Start(); });
  ASSERT_TRUE(broker_->Start());
  const Status status = started.get();
  EXPECT_TRUE(status.ok()) << status.ToString();
  (*service)->Stop();
}

TEST_F(StartBeforeBrokerTest, SagaServiceStartGivesUpAfterBrokerWait) {
  ClientOptions client = Offline();
  client.request_timeout = milliseconds(200);
  saga::ServiceOptions options = SagaOptions(client);
  options.broker_wait = milliseconds(500);
  Result<std::unique_ptr<saga::SagaService>> service = saga::SagaService::Create(options);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  (*service)->OnRaw("test.Thing",
                    [](saga::HandlerContext&, std::string_view) { return OkStatus(); });
  const Status status = (*service)->Start();
  EXPECT_EQ(status.code(), ErrorCode::kConnectionFailed) << status.ToString();
}

TEST_F(StartBeforeBrokerTest, CliFailsFastWithoutABroker) {
  ProcessResult result =
      RunProcess({CHOREO_CLI_PATH, "--broker", address_, "topic", "list"}, "", dir_.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("error: CONNECTION_FAILED: cannot connect to " + address_, 0), 0u)
      << result.err;
  EXPECT_NE(result.err.find("is choreod running?"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--wait"), std::string::npos) << result.err;
}

TEST_F(StartBeforeBrokerTest, CliWaitsForTheBrokerWithWait) {
  const std::filesystem::path out = dir_.path() / "wait.out";
  const std::filesystem::path err = dir_.path() / "wait.err";
  const pid_t pid = Spawn({CHOREO_CLI_PATH, "topic", "list", "--wait=60s", "--broker", address_},
                          "/dev/null", out, err);
  ASSERT_GT(pid, 0);
  // It says that it waits; only then is the broker started, so the wait is what is tested.
  const Clock::time_point deadline = Clock::now() + seconds(30);
  while (ReadFile(err).find("waiting up to 60000 ms for the broker") == std::string::npos) {
    ASSERT_LT(Clock::now(), deadline) << ReadFile(err);
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(broker_->Start());
  EXPECT_EQ(WaitForExit(pid, seconds(60)), 0) << ReadFile(err);
}

TEST_F(StartBeforeBrokerTest, CliWaitGivesUpAfterItsDuration) {
  ProcessResult result = RunProcess(
      {CHOREO_CLI_PATH, "--wait=300ms", "--broker", address_, "topic", "list"}, "", dir_.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("(waited 300 ms)"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace choreo::e2e
