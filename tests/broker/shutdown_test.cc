#include <gtest/gtest.h>

#include <thread>

#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

using ShutdownTest = BrokerFixture;

TEST_F(ShutdownTest, OpenConnectionsAreAnsweredAndClosed) {
  auto poller = Connect();
  CreateTopic(*poller, "orders", 1);
  auto idle = Connect();
  TestClient fresh(broker_->port());  // connected, never handshaken

  const uint64_t poll = poller->Send(FetchRequest("orders", 0, 0, 30'000, 1));
  ASSERT_TRUE(poller->Call(MetadataRequest()));  // the poll has been read and is parked

  ASSERT_TRUE(broker_->Shutdown().ok());

  // The parked poll is answered early, with what there is, before the connection closes.
  std::optional<proto::Response> response = poller->Receive();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), poll);
  EXPECT_EQ(response->fetch().partitions(0).batches_size(), 0);
  EXPECT_TRUE(poller->WaitForClose());
  EXPECT_TRUE(idle->WaitForClose());
  EXPECT_TRUE(fresh.WaitForClose());
}

TEST_F(ShutdownTest, AcknowledgedDataSurvivesARestart) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(client->Call(ProduceRequest("orders", 0, MakeBatch(2))));
  client.reset();
  StartBroker(DefaultOptions());
  client = Connect();
  std::optional<proto::Response> fetched = client->Call(FetchRequest("orders", 0, 0));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->fetch().partitions(0).high_watermark(), 10);
  EXPECT_EQ(fetched->fetch().partitions(0).batches_size(), 5);
}

TEST_F(ShutdownTest, WaitReturnsAfterShutdownAndShutdownIsIdempotent) {
  std::thread waiter([this] { broker_->Wait(); });
  EXPECT_TRUE(broker_->Shutdown().ok());
  waiter.join();
  EXPECT_TRUE(broker_->Shutdown().ok());
}

TEST_F(ShutdownTest, BadListenAddressFailsToStart) {
  BrokerOptions options = DefaultOptions();
  broker_.reset();  // release the data directory
  options.listen = "127.0.0.1:notaport";
  EXPECT_FALSE(Broker::Start(options).ok());
  options.listen = "127.0.0.1:0";
  options.io_threads = 0;
  EXPECT_FALSE(Broker::Start(options).ok());
}

}  // namespace
}  // namespace choreo::broker::testing
