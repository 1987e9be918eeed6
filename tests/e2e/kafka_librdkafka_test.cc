// The Kafka listener against librdkafka's C++ API (Debian's librdkafka-dev, linked in-process):
// an idempotent producer (enable.idempotence=true) keeps sending while choreod is SIGKILLed and
// restarted on the same port, again and again. librdkafka retries what was in flight with the
// same producer id and sequence numbers; the broker's durable producer state must answer those
// retries as duplicates. Afterwards: every acknowledged record is stored, none twice, and each
// key's records are in the order they were sent.
#include <absl/cleanup/cleanup.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/broker_test_base.h"

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
    std::string port = ReadFile(dir_.path() / "kafka.port");
    while (!port.empty() && port.back() == '\n')
      port.pop_back();
    kafka_port_ = std::stoi(port);
    kafka_address_ = "127.0.0.1:" + port;
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

}  // namespace
}  // namespace choreo::e2e
