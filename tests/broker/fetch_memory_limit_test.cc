// The broker-wide fetch memory budget (--max-fetch-memory-bytes) under load: connections that
// pipeline fetches and never read their responses hold granted memory until the idle timeout
// closes them, while many concurrent fetchers still read every record, in order, by waiting; the
// bytes in use never exceed the budget, and all of it is returned at the end.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "choreo/proto/frame.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"
#include "tests/broker/prometheus_text.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {
namespace {

constexpr uint64_t kBudget = 256 << 10;
constexpr uint64_t kMaxFetch = 64 << 10;
constexpr int kBatches = 48;
constexpr int kRecordsPerBatch = 4;
const std::string kValuePrefix(4000, 'v');  // ~16 KB batches: several per fetch, all < budget

class FetchMemoryLimitTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    options.max_fetch_memory_bytes = kBudget;
    options.max_fetch_bytes = kMaxFetch;
    options.idle_timeout = absl::Seconds(1);
    options.io_threads = 2;
    StartBroker(options);
  }

  std::map<std::string, double> Scrape() {
    return ParseSamples(HttpGet(broker_->http_port(), "/metrics").body);
  }
};

std::string Frame(proto::Request request, uint64_t correlation_id) {
  request.set_correlation_id(correlation_id);
  std::string frame;
  EXPECT_TRUE(proto::AppendFrame(request, &frame));
  return frame;
}

// Reads the whole partition from offset 0 and checks every record; returns a failure or "".
std::string ReadEverything(uint16_t port) {
  TestClient client(port);
  if (!client.Handshake()) return "handshake failed";
  int64_t offset = 0;
  while (offset < kBatches * kRecordsPerBatch) {
    std::optional<proto::Response> fetched = client.Call(FetchRequest("big", 0, offset));
    if (!fetched) return "no answer to a fetch at offset " + std::to_string(offset);
    const proto::FetchPartitionResponse& p = fetched->fetch().partitions(0);
    if (p.error().code() != proto::NONE) return "fetch failed: " + p.error().message();
    if (p.batches_size() == 0) return "a fetch of stored data returned nothing";
    for (const proto::FetchedBatch& batch : p.batches()) {
      if (batch.base_offset() != offset) return "out of order at " + std::to_string(offset);
      for (const std::string& value : BatchValues(batch.batch())) {
        if (value != kValuePrefix + std::to_string(offset % kRecordsPerBatch))
          return "wrong value at offset " + std::to_string(offset);
        ++offset;
      }
    }
  }
  return "";
}

TEST_F(FetchMemoryLimitTest, ConcurrentFetchersStayWithinTheBudgetAndReadEverything) {
  {
    auto producer = Connect();
    CreateTopic(*producer, "big", 1);
    for (int i = 0; i < kBatches; ++i) {
      std::optional<proto::Response> produced =
          producer->Call(ProduceRequest("big", 0, MakeBatch(kRecordsPerBatch, kValuePrefix)));
      ASSERT_TRUE(produced && produced->error().code() == proto::NONE);
    }
  }
  const uint16_t port = broker_->port();

  // Each asks for up to 64 KB, four times over, and never reads: together they want far more
  // than the budget, and hold what they are granted until the idle timeout closes them.
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 4; ++i) {
    auto connection = std::make_unique<RawConnection>(port, /*receive_buffer=*/4096);
    ASSERT_TRUE(connection->connected());
    proto::Request handshake;
    handshake.mutable_handshake()->set_protocol_major(1);
    std::string frames = Frame(handshake, 1);
    for (uint64_t id = 2; id < 6; ++id)
      frames += Frame(FetchRequest("big", 0, 0), id);
    connection->SendAll(frames);
    stalled.push_back(std::move(connection));
  }

  constexpr int kFetchers = 16;
  std::vector<std::string> failures(kFetchers);
  std::vector<std::thread> fetchers;
  for (int i = 0; i < kFetchers; ++i)
    fetchers.emplace_back([&, i] { failures[i] = ReadEverything(port); });
  for (std::thread& fetcher : fetchers)
    fetcher.join();
  for (int i = 0; i < kFetchers; ++i)
    EXPECT_EQ(failures[i], "") << "fetcher " << i;

  for (auto& connection : stalled)
    EXPECT_TRUE(connection->WaitForClose(std::chrono::seconds(10)));
  std::map<std::string, double> samples;
  EXPECT_TRUE(WaitUntil([&] {
    samples = Scrape();
    return samples["choreo_fetch_memory_bytes"] == 0;
  })) << "fetch memory not returned: "
      << samples["choreo_fetch_memory_bytes"];
  EXPECT_LE(samples["choreo_fetch_memory_peak_bytes"], kBudget);
  // The budget was the limit, not a bystander: it was filled, and fetches waited for it.
  EXPECT_GT(samples["choreo_fetch_memory_peak_bytes"], kBudget - kMaxFetch);
  EXPECT_GT(samples["choreo_limit_hits_total{limit=\"max_fetch_memory_bytes\"}"], 0);
}

}  // namespace
}  // namespace choreo::broker::testing
