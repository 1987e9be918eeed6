// The idempotent producer against a real choreod under faults: a network that drops connections
// and delays or loses responses (FaultProxy), and a broker that is SIGKILLed and restarted. In
// both, every acknowledged record must be stored exactly once, no record twice, and each key's
// records in the order they were sent.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/fault_proxy.h"
#include "tests/e2e/keyed_stream.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Retries sized for a test: fast backoff, short timeouts (a lost response costs one
// request_timeout before the producer reconnects and resends).
ProducerOptions FastRetries(ClientOptions client) {
  ProducerOptions options;
  options.client = std::move(client);
  options.client.connect_timeout = seconds(1);
  options.retry_backoff = milliseconds(20);
  options.retry_backoff_max = milliseconds(300);
  return options;
}

std::unique_ptr<Producer> MustCreate(const ProducerOptions& options, BrokerProcess& broker) {
  Result<std::unique_ptr<Producer>> producer = Producer::Create(options);
  EXPECT_TRUE(producer.ok()) << producer.status().ToString() << "\n" << broker.LogTail();
  return producer.ok() ? std::move(producer).value() : nullptr;
}

using ProducerFaultTest = BrokerTest;

TEST_F(ProducerFaultTest, NoLossDuplicationOrReorderingThroughAFaultyNetwork) {
  constexpr int64_t kRecords = 20000;
  CreateTopic("faults", 4);
  FaultProxy proxy(broker_->port(), /*seed=*/0x5eed2024);
  ASSERT_TRUE(proxy.Start());
  ClientOptions client = Client();
  client.broker = proxy.address();
  client.request_timeout = milliseconds(500);
  std::unique_ptr<Producer> producer = MustCreate(FastRetries(client), *broker_);
  ASSERT_NE(producer, nullptr);
  // From here on (Create() itself does not retry); reconnects and InitProducer are hit too.
  proxy.SetFaults({.drop_request = 0.004,
                   .drop_response = 0.006,
                   .discard_response = 0.003,
                   .delay_response = 0.03,
                   .max_delay = milliseconds(100)});

  // Paced over ~8 s, so that faults hit many small batches and every stage of their life.
  KeyedStream stream(*producer, {.topic = "faults",
                                 .keys = 50,
                                 .max_records = kRecords,
                                 .max_in_flight = 2000,
                                 .records_per_second = 2500});
  stream.Start();
  ASSERT_TRUE(stream.WaitSent(seconds(60)));
  proxy.SetFaults({});  // let the stragglers through
  const Status flushed = producer->Flush(seconds(60));
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  ASSERT_TRUE(producer->Close(seconds(10)).ok());

  const FaultProxy::Stats stats = proxy.stats();
  RecordProperty("connections", stats.connections);
  RecordProperty("dropped_requests", stats.dropped_requests);
  RecordProperty("dropped_responses", stats.dropped_responses);
  RecordProperty("discarded_responses", stats.discarded_responses);
  RecordProperty("delayed_responses", stats.delayed_responses);
  EXPECT_GT(stats.dropped_requests + stats.dropped_responses + stats.discarded_responses, 0);
  EXPECT_EQ(stream.failed(), 0) << stream.first_failure();
  EXPECT_EQ(stream.repeated(), 0);
  const std::vector<KeyedStream::Ack> acks = stream.acks();
  EXPECT_EQ(acks.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(ExpectExactlyOnceInOrder(broker_->address(), "faults", acks), acks.size());
}

class ProducerCrashTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.fsync = "always";
    options.keep_port = true;  // the producer reconnects to the same address after each crash
    return options;
  }
};

TEST_F(ProducerCrashTest, NoLossDuplicationOrReorderingAcrossBrokerCrashes) {
  constexpr int kCrashes = 3;
  constexpr size_t kAcksBetweenCrashes = 2000;
  CreateTopic("crash", 4);
  ClientOptions client = Client();
  client.request_timeout = seconds(2);
  std::unique_ptr<Producer> producer = MustCreate(FastRetries(client), *broker_);
  ASSERT_NE(producer, nullptr);

  KeyedStream stream(*producer, {.topic = "crash", .keys = 50, .max_in_flight = 5000});
  stream.Start();
  for (int crash = 0; crash <= kCrashes; ++crash) {
    ASSERT_TRUE(stream.WaitForAcks(stream.acked() + kAcksBetweenCrashes, seconds(60)))
        << "stalled after crash " << crash << ": " << stream.failed() << " failed, first "
        << stream.first_failure() << "\n"
        << broker_->LogTail();
    if (crash == kCrashes) break;
    broker_->Kill();  // mid-stream: batches are in flight, some appended but not answered
    ASSERT_TRUE(broker_->Start());
  }
  stream.Stop();
  const Status flushed = producer->Flush(seconds(60));
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  ASSERT_TRUE(producer->Close(seconds(10)).ok());

  EXPECT_EQ(stream.failed(), 0) << stream.first_failure();
  EXPECT_EQ(stream.repeated(), 0);
  const std::vector<KeyedStream::Ack> acks = stream.acks();
  EXPECT_EQ(acks.size(), static_cast<size_t>(stream.sent()));
  RecordProperty("acknowledged", static_cast<int>(acks.size()));
  // Nothing failed, so the topic holds exactly the acknowledged records.
  EXPECT_EQ(ExpectExactlyOnceInOrder(broker_->address(), "crash", acks), acks.size());
}

}  // namespace
}  // namespace choreo::e2e
