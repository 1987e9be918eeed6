// Long-polling fetches and per-connection concurrency: a parked fetch must not hold up other
// requests on its connection, and must be woken by new data. Asserted through response order,
// never through timings.
#include <gtest/gtest.h>

#include <set>

#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

constexpr uint32_t kLongWaitMs = 5000;

using LongPollTest = BrokerFixture;

TEST_F(LongPollTest, ProduceOvertakesAParkedFetchAndWakesIt) {
  // One storage thread makes storage work FIFO, so the metadata barrier below guarantees that both
  // fetches have done their first read (and parked) before the produce is sent.
  BrokerOptions options = DefaultOptions();
  options.storage_threads = 1;
  StartBroker(options);
  auto client = Connect();
  CreateTopic(*client, "orders", 2);

  // Partition 1 never gets data: this poll ends only at its deadline, which is earlier than the
  // next poll's. If the next poll were answered at its deadline rather than woken by data, this
  // one would be answered first.
  const uint64_t idle_poll = client->Send(FetchRequest("orders", 1, 0, kLongWaitMs, 1));
  const uint64_t poll = client->Send(FetchRequest("orders", 0, 0, kLongWaitMs, 1));
  const uint64_t barrier = client->Send(MetadataRequest());
  std::optional<proto::Response> first = client->Receive();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->correlation_id(), barrier) << "a long poll returned without data";

  const uint64_t produce = client->Send(ProduceRequest("orders", 0, MakeBatch(2)));
  std::optional<proto::Response> produced = client->Receive();
  ASSERT_TRUE(produced);
  EXPECT_EQ(produced->correlation_id(), produce);
  EXPECT_EQ(produced->error().code(), proto::NONE);
  EXPECT_EQ(produced->produce().base_offset(), 0);

  std::optional<proto::Response> woken = client->Receive();
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->correlation_id(), poll);
  EXPECT_NE(woken->correlation_id(), idle_poll);
  ASSERT_EQ(woken->fetch().partitions_size(), 1);
  ASSERT_EQ(woken->fetch().partitions(0).batches_size(), 1);
  EXPECT_EQ(woken->fetch().partitions(0).batches(0).base_offset(), 0);
}

TEST_F(LongPollTest, ProduceFromAnotherConnectionWakesTheFetch) {
  BrokerOptions options = DefaultOptions();
  options.storage_threads = 1;
  StartBroker(options);
  auto consumer = Connect();
  auto producer = Connect();
  CreateTopic(*producer, "orders", 1);
  const uint64_t poll = consumer->Send(FetchRequest("orders", 0, 0, kLongWaitMs, 1));
  ASSERT_TRUE(consumer->Call(MetadataRequest()));  // the poll is parked now
  ASSERT_TRUE(producer->Call(ProduceRequest("orders", 0, MakeBatch(1))));
  std::optional<proto::Response> woken = consumer->Receive();
  ASSERT_TRUE(woken);
  EXPECT_EQ(woken->correlation_id(), poll);
  EXPECT_EQ(woken->fetch().partitions(0).batches_size(), 1);
}

TEST_F(LongPollTest, PollWithoutDataEndsEmptyAtItsDeadline) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  std::optional<proto::Response> response = client->Call(FetchRequest("orders", 0, 0, 50, 1));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->fetch().partitions(0).error().code(), proto::NONE);
  EXPECT_EQ(response->fetch().partitions(0).batches_size(), 0);
}

TEST_F(LongPollTest, ZeroMinBytesNeverWaits) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  const uint64_t poll = client->Send(FetchRequest("orders", 0, 0, kLongWaitMs, 0));
  const uint64_t barrier = client->Send(MetadataRequest());
  std::optional<proto::Response> first = client->Receive();
  std::optional<proto::Response> second = client->Receive();
  ASSERT_TRUE(first && second);
  // Both are answered; neither waits for the other or for the deadline.
  EXPECT_EQ(std::set<uint64_t>({first->correlation_id(), second->correlation_id()}),
            std::set<uint64_t>({poll, barrier}));
}

TEST_F(LongPollTest, InFlightLimitStopsReadingUntilResponsesDrain) {
  BrokerOptions options = DefaultOptions();
  options.max_in_flight = 2;
  StartBroker(options);
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  // Two parked polls use up the limit: the metadata request behind them is not read until one of
  // them is answered, so it cannot overtake them.
  const uint64_t poll_a = client->Send(FetchRequest("orders", 0, 0, 200, 1));
  const uint64_t poll_b = client->Send(FetchRequest("orders", 0, 0, 200, 1));
  const uint64_t metadata = client->Send(MetadataRequest());
  std::optional<proto::Response> first = client->Receive();
  ASSERT_TRUE(first);
  EXPECT_NE(first->correlation_id(), metadata);
  std::set<uint64_t> ids = {first->correlation_id()};
  for (int i = 0; i < 2; ++i) {
    std::optional<proto::Response> next = client->Receive();
    ASSERT_TRUE(next);
    ids.insert(next->correlation_id());
  }
  EXPECT_EQ(ids, std::set<uint64_t>({poll_a, poll_b, metadata}));
}

}  // namespace
}  // namespace choreo::broker::testing
