#include "tests/saga/saga_test_util.h"

#include <gtest/gtest.h>

#include <thread>

namespace choreo::saga::testing {

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

std::unique_ptr<choreo::testing::TestBroker> StartBroker() {
  choreo::testing::TestBrokerOptions options;
  options.default_partitions = 4;
  options.group_heartbeat_interval = std::chrono::milliseconds(100);
  auto broker = choreo::testing::TestBroker::Start(options);
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  return broker.ok() ? std::move(broker).value() : nullptr;
}

ServiceOptions TestServiceOptions(const choreo::testing::TestBroker& broker, std::string service) {
  ServiceOptions options;
  options.client = broker.client_options();
  options.service = std::move(service);
  options.workers = 4;
  options.retry = RetryPolicy{.max_attempts = 3,
                              .initial_backoff = std::chrono::milliseconds(5),
                              .multiplier = 2.0,
                              .max_backoff = std::chrono::milliseconds(20)};
  options.session_timeout = std::chrono::milliseconds(3000);
  options.rebalance_timeout = std::chrono::milliseconds(5000);
  return options;
}

std::unique_ptr<Publisher> NewPublisher(const choreo::testing::TestBroker& broker,
                                        std::string source) {
  PublisherOptions options;
  options.client = broker.client_options();
  options.events.source = std::move(source);
  options.create_topic_partitions = 4;
  auto publisher = Publisher::Create(options);
  EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
  return publisher.ok() ? std::move(publisher).value() : nullptr;
}

std::vector<ReadEvent> ReadEvents(choreo::testing::TestBroker& broker, const std::string& topic) {
  std::vector<ReadEvent> out;
  Result<std::vector<ConsumedRecord>> records = broker.ReadAll(topic);
  if (!records.ok()) return out;
  for (ConsumedRecord& r : *records) {
    Result<Envelope> envelope = ReadEnvelope(r.record.headers);
    if (envelope.ok()) out.push_back(ReadEvent{std::move(r), std::move(envelope).value()});
  }
  return out;
}

}  // namespace choreo::saga::testing
