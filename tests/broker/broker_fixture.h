// An in-process Broker on an ephemeral port with a temporary data directory, plus builders for
// the requests the tests send.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "choreo/broker/broker.h"
#include "choreo/proto/choreo.pb.h"
#include "tests/broker/test_client.h"

namespace choreo::broker::testing {

class BrokerFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Options for the broker; tests may change them and pass them to StartBroker().
  BrokerOptions DefaultOptions() const;
  void StartBroker(BrokerOptions options);
  // A connected client, handshaken unless `handshake` is false.
  std::unique_ptr<TestClient> Connect(bool handshake = true);
  // Creates a topic through the protocol and asserts success.
  void CreateTopic(TestClient& client, const std::string& name, uint32_t partitions);

  std::string data_dir_;
  std::unique_ptr<Broker> broker_;
};

// Request builders.
proto::Request MetadataRequest(std::vector<std::string> topics = {});
proto::Request CreateTopicsRequest(const std::vector<std::string>& names, uint32_t partitions);
proto::Request DeleteTopicsRequest(const std::vector<std::string>& names);
proto::Request ProduceRequest(const std::string& topic, uint32_t partition, std::string batch);
proto::Request FetchRequest(const std::string& topic, uint32_t partition, int64_t offset,
                            uint32_t max_wait_ms = 0, uint64_t min_bytes = 0);
proto::Request ListOffsetsRequest(const std::string& topic, uint32_t partition,
                                  proto::ListOffsetsRequest::Spec spec, int64_t timestamp_ms = 0);

// A valid serialized batch of `count` records with values "<prefix>0".."<prefix>{count-1}" and
// timestamps first_timestamp_ms, +1, +2, ...
std::string MakeBatch(int count, const std::string& prefix = "v",
                      int64_t first_timestamp_ms = 1000);
// The record values of a fetched batch.
std::vector<std::string> BatchValues(const std::string& batch_bytes);

}  // namespace choreo::broker::testing
