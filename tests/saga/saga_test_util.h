// Shared pieces of the saga service tests: an in-process broker, a publisher, waiting for a
// condition with a deadline, and reading a topic's events back with their envelopes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "choreo/saga/envelope.h"
#include "choreo/saga/publisher.h"
#include "choreo/saga/service.h"
#include "choreo/testing/test_broker.h"

namespace choreo::saga::testing {

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::unique_ptr<choreo::testing::TestBroker> StartBroker();

// Options for a service on `broker` with quick group timings and short retries.
ServiceOptions TestServiceOptions(const choreo::testing::TestBroker& broker, std::string service);

std::unique_ptr<Publisher> NewPublisher(const choreo::testing::TestBroker& broker,
                                        std::string source = "test-publisher");

struct ReadEvent {
  ConsumedRecord record;
  Envelope envelope;
};
// Every record of `topic` with a valid envelope (others are dropped), in offset order per
// partition; empty if the topic does not exist.
std::vector<ReadEvent> ReadEvents(choreo::testing::TestBroker& broker, const std::string& topic);

}  // namespace choreo::saga::testing
