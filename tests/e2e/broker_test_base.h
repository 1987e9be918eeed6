// Shared fixture and helpers for end-to-end tests: a real choreod in a temporary directory, and
// clients pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/client/producer.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/process.h"

namespace choreo::e2e {

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Override to start the broker with other flags.
  virtual BrokerProcess::Options BrokerOptions() const { return {}; }

  // Options for a client of the running broker.
  ClientOptions Client() const;
  // Connect, failing the test (nullptr) on error.
  std::unique_ptr<Admin> ConnectAdmin() const;
  std::unique_ptr<Producer> CreateProducer() const;
  // Creates `topic` with `partitions` partitions, failing the test on error.
  void CreateTopic(const std::string& topic, uint32_t partitions) const;

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

// Reads every partition of `topic` from its log start up to the high watermark it has when the call
// starts, within `timeout`. Records come grouped by partition, each in offset order. Test failures
// are recorded for errors and for a timeout.
std::map<uint32_t, std::vector<ConsumedRecord>> ReadTopic(
    const ClientOptions& options, const std::string& topic,
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The port of the Kafka listener of a choreod started with --kafka-port-file=`port_file` (choreod
// writes that file before --port-file, which BrokerProcess::Start() waits for); 0 if unreadable.
uint16_t ReadKafkaPort(const std::filesystem::path& port_file);

}  // namespace choreo::e2e
