// The Kafka listener against librdkafka's C++ API (Debian's librdkafka-dev, linked in-process):
// an idempotent producer (enable.idempotence=true) keeps sending while choreod is SIGKILLed and
// restarted on the same port, again and again. librdkafka retries what was in flight with the
// same producer id and sequence numbers; the broker's durable producer state must answer those
// retries as duplicates. Afterwards: every acknowledged record is stored, none twice, and each
// key's records are in the order they were sent.
#include <absl/cleanup/cleanup.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/service_process.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class KafkaLibrdkafkaTest : public BrokerTest {
 protected:
  // The first start picks a free Kafka port; restarts listen on it again (librdkafka reconnects
  // to the address it knows), by then with a broker process that asks for it explicitly.
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.keep_port = true;
    options.extra_flags = {"--kafka-listen=127.0.0.1:" + std::to_string(kafka_port_),
                           "--kafka-port-file=" + (dir_.path() / "kafka.port").string()};
    return options;
  }

  void SetUp() override {
    BrokerTest::SetUp();
    kafka_port_ = ReadKafkaPort(dir_.path() / "kafka.port");
    kafka_address_ = "127.0.0.1:" + std::to_string(kafka_port_);
  }

  // SIGKILL, then a new choreod on the same data directory and the same Kafka port.
  void KillAndRestart() {
    broker_->Kill();
    broker_ = std::make_unique<BrokerProcess>(dir_.path(), BrokerOptions());
    ASSERT_TRUE(broker_->Start());
  }

  int kafka_port_ = 0;
  std::string kafka_address_;
};

// Collects delivery reports (they arrive on the thread that calls poll/flush).
class DeliveryLog : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::lock_guard lock(mu_);
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      if (failed_++ == 0) first_error_ = message.errstr();
      return;
    }
    acked_.push_back(std::string(static_cast<const char*>(message.payload()), message.len()));
  }
  size_t acked() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }
  std::vector<std::string> acked_values() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  int failed() {
    std::lock_guard lock(mu_);
    return failed_;
  }
  std::string first_error() {
    std::lock_guard lock(mu_);
    return first_error_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> acked_;
  int failed_ = 0;
  std::string first_error_;
};

TEST_F(KafkaLibrdkafkaTest, IdempotentProducerLosesAndDuplicatesNothingAcrossSigkills) {
  constexpr int kKeys = 16;
  constexpr int kKills = 3;
  CreateTopic("payments", 4);

  DeliveryLog deliveries;
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"bootstrap.servers", kafka_address_},
           {"enable.idempotence", "true"},
           {"linger.ms", "2"},
           {"batch.num.messages", "200"},
           // Retry for as long as the test may take; a restart must never fail a record.
           {"message.timeout.ms", "120000"},
           {"reconnect.backoff.max.ms", "200"},
       }) {
    ASSERT_EQ(conf->set(name, value, error), RdKafka::Conf::CONF_OK) << name << ": " << error;
  }
  ASSERT_EQ(conf->set("dr_cb", &deliveries, error), RdKafka::Conf::CONF_OK) << error;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  ASSERT_NE(producer, nullptr) << error;

  // Sends "<key>:<sequence>" values until told to stop, pacing itself on the local queue.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> sent{0};
  std::thread sender([&] {
    std::vector<int64_t> next(kKeys, 0);
    for (int64_t i = 0; !stop.load(); ++i) {
      const int key = static_cast<int>(i % kKeys);
      const std::string key_text = "key-" + std::to_string(key);
      std::string value = key_text + ":" + std::to_string(next[key]);
      while (!stop.load()) {
        const RdKafka::ErrorCode err = producer->produce(
            "payments", RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, value.data(),
            value.size(), key_text.data(), key_text.size(), 0, nullptr);
        if (err == RdKafka::ERR_NO_ERROR) break;
        ASSERT_EQ(err, RdKafka::ERR__QUEUE_FULL) << RdKafka::err2str(err);
        producer->poll(10);
      }
      ++next[key];
      sent.fetch_add(1);
      producer->poll(0);
      if (i % 50 == 0) std::this_thread::sleep_for(milliseconds(1));  // spread over the kills
    }
  });

  // Stops the sender however the test ends (an ASSERT returns early).
  absl::Cleanup join_sender = [&] {
    stop = true;
    if (sender.joinable()) sender.join();
  };

  // Waits until `count` more records were acknowledged (with a deadline), polling for reports
  // from this thread too (poll is thread-safe).
  const auto wait_for_acks = [&](size_t count) {
    const size_t target = deliveries.acked() + count;
    const auto deadline = Clock::now() + seconds(60);
    while (deliveries.acked() < target && Clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(5));
    return deliveries.acked() >= target;
  };
  for (int kill = 0; kill < kKills; ++kill) {
    ASSERT_TRUE(wait_for_acks(1000))
        << "no progress before kill " << kill << "; failed " << deliveries.failed() << ": "
        << deliveries.first_error() << "\n"
        << broker_->LogTail();
    KillAndRestart();
    if (HasFatalFailure()) break;
  }
  ASSERT_TRUE(wait_for_acks(1000)) << broker_->LogTail();
  std::move(join_sender).Invoke();
  ASSERT_EQ(producer->flush(120000), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(deliveries.failed(), 0) << deliveries.first_error();
  ASSERT_EQ(deliveries.acked(), static_cast<size_t>(sent.load()));

  // What the broker stored, read with choreo's own client.
  std::map<std::string, std::vector<int64_t>> by_key;
  std::set<std::string> stored;
  for (const auto& [partition, records] : ReadTopic(Client(), "payments")) {
    for (const ConsumedRecord& r : records) {
      EXPECT_TRUE(stored.insert(r.record.value).second) << r.record.value << " stored twice";
      const size_t colon = r.record.value.find(':');
      ASSERT_NE(colon, std::string::npos) << r.record.value;
      EXPECT_EQ(r.record.key, r.record.value.substr(0, colon));
      by_key[r.record.key].push_back(std::stoll(r.record.value.substr(colon + 1)));
    }
  }
  for (const std::string& value : deliveries.acked_values())
    EXPECT_TRUE(stored.contains(value)) << value << " was acknowledged but is not stored";
  EXPECT_EQ(stored.size(), deliveries.acked());
  // Each key's records in the order sent: 0, 1, 2, ... with no gap.
  for (const auto& [key, sequence] : by_key) {
    for (size_t i = 0; i < sequence.size(); ++i) {
      ASSERT_EQ(sequence[i], static_cast<int64_t>(i)) << key << " out of order at " << i;
    }
  }
}

// Three KafkaConsumer processes in one group share a topic's partitions; one is SIGKILLed, and its
// partitions move to the others after its session timeout. Every record is consumed (at least
// once: what the killed member consumed after its last commit may be consumed again), the
// survivors commit and leave on SIGTERM, and the group's committed offsets, as choreo's own admin
// API describes them, are at the end of every partition.
TEST_F(KafkaLibrdkafkaTest, AGroupOfThreeProcessesConsumesEverythingWhenOneIsKilled) {
  constexpr int kPartitions = 6;
  constexpr int kRecords = 3000;
  CreateTopic("orders", kPartitions);
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  const auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      producer->Send("orders",
                     Record{"key-" + std::to_string(i % 50), "v" + std::to_string(i), {}, 0});
    }
    ASSERT_TRUE(producer->Flush(std::chrono::seconds(30)).ok());
  };
  produce(0, kRecords);

  std::vector<std::unique_ptr<ServiceProcess>> members;
  std::vector<std::filesystem::path> outputs;
  for (int i = 0; i < 3; ++i) {
    outputs.push_back(dir_.path() / ("member-" + std::to_string(i) + ".out"));
    members.push_back(std::make_unique<ServiceProcess>(
        std::vector<std::string>{KAFKA_GROUP_MEMBER_PATH, kafka_address_, "orders", "kafka-group",
                                 outputs.back().string()},
        dir_.path() / ("member-" + std::to_string(i) + ".log")));
    ASSERT_TRUE(members.back()->Start());
  }
  // The distinct values the members consumed so far.
  const auto consumed = [&] {
    std::set<std::string> values;
    for (const auto& output : outputs) {
      std::istringstream lines(ReadFile(output));
      std::string partition, offset, value;
      while (lines >> partition >> offset >> value)
        values.insert(value);
    }
    return values;
  };
  const auto wait_for = [&](size_t count) {
    const auto deadline = Clock::now() + seconds(120);
    while (consumed().size() < count && Clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(50));
    return consumed().size() >= count;
  };
  ASSERT_TRUE(wait_for(kRecords / 3)) << members[0]->LogTail() << broker_->LogTail();
  members[0]->Kill();
  produce(kRecords, 2 * kRecords);
  ASSERT_TRUE(wait_for(2 * kRecords))
      << consumed().size() << " of " << 2 * kRecords << " consumed\n"
      << members[1]->LogTail() << members[2]->LogTail() << broker_->LogTail();
  for (int i = 1; i < 3; ++i)
    members[i]->SignalStop();
  for (int i = 1; i < 3; ++i)
    EXPECT_TRUE(members[i]->WaitStopped(seconds(60)));

  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string text = ReadFile(outputs[i]);
    std::cout << "member " << i << " consumed " << std::count(text.begin(), text.end(), '\n')
              << " records\n";
  }
  const std::set<std::string> values = consumed();
  for (int i = 0; i < 2 * kRecords; ++i)
    ASSERT_TRUE(values.contains("v" + std::to_string(i))) << "v" << i << " never consumed";
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Result<GroupDescription> group = (*admin)->DescribeGroup("kafka-group");
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  ASSERT_EQ(group->offsets.size(), static_cast<size_t>(kPartitions));
  for (const GroupPartitionOffset& offset : group->offsets) {
    EXPECT_EQ(offset.committed_offset, offset.log_end_offset)
        << "partition " << offset.partition.partition;
  }
}

}  // namespace
}  // namespace choreo::e2e
