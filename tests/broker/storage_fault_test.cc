// A full disk through the whole broker (a periodic WAL fsync under --fsync=interval meets ENOSPC):
// produce answers a retriable NOT_ENOUGH_SPACE, fetches of stored data keep working, /readyz and
// the metrics say why, and once space is back the broker takes writes again by itself; a real
// Producer that kept sending through it loses nothing and stores nothing twice.
#include <absl/strings/match.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "choreo/client/producer.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"
#include "tests/broker/raw_connection.h"
#include "tests/storage/full_disk_file_system.h"

namespace choreo::broker::testing {
namespace {

using storage::testing::FullDiskFileSystem;

class StorageFaultTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    fs_ = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    options.store.env = env_.get();
    options.store.fsync = storage::FsyncPolicy::kInterval;
    options.store.fsync_interval = absl::Milliseconds(5);
    options.store.write_recovery_interval = absl::Milliseconds(20);
    StartBroker(std::move(options));
    client_ = Connect();
    CreateTopic(*client_, "orders", 1);
  }
  void TearDown() override {
    client_.reset();
    BrokerFixture::TearDown();  // the broker closes its store before the env goes away
    env_.reset();
  }

  proto::Response Produce(std::string batch) {
    std::optional<proto::Response> response = client_->Call(ProduceRequest("orders", 0, batch));
    EXPECT_TRUE(response);
    return response.value_or(proto::Response());
  }
  HttpReply Get(std::string_view path) { return HttpGet(broker_->http_port(), path); }

  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(StorageFaultTest, FullDiskIsRetriableVisibleAndRecoversByItself) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(Produce(MakeBatch(2, "a")).error().code(), proto::NONE);
  EXPECT_EQ(Get("/readyz").status, 200);

  // The next periodic sync fails: the batch before it was acknowledged, everything after refused.
  fs_->fail_syncs = true;
  ASSERT_EQ(Produce(MakeBatch(2, "b")).error().code(), proto::NONE);
  ASSERT_TRUE(WaitUntil([&] { return Get("/readyz").status == 503; }));
  proto::Response refused = Produce(MakeBatch(2, "lost"));
  EXPECT_EQ(refused.error().code(), proto::NOT_ENOUGH_SPACE) << refused.error().message();

  // The operator sees why.
  HttpReply ready = Get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_TRUE(absl::StrContains(ready.body, "storage refuses writes")) << ready.body;
  EXPECT_TRUE(absl::StrContains(ready.body, "disk full")) << ready.body;
  EXPECT_TRUE(absl::StrContains(ready.body, "retrying by itself")) << ready.body;
  const std::string metrics = Get("/metrics").body;
  EXPECT_TRUE(absl::StrContains(metrics, "\nchoreo_storage_writes_refused 1\n")) << metrics;
  EXPECT_FALSE(absl::StrContains(metrics, "\nchoreo_storage_write_errors_total 0\n"));

  // Consumers still read what is stored.
  std::optional<proto::Response> fetched = client_->Call(FetchRequest("orders", 0, 0));
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->fetch().partitions_size(), 1);
  EXPECT_EQ(fetched->fetch().partitions(0).error().code(), proto::NONE);
  EXPECT_EQ(fetched->fetch().partitions(0).batches_size(), 4);

  // A real producer sends while the disk is full; its records wait and are retried.
  Result<std::unique_ptr<Producer>> producer =
      Producer::Create(ProducerOptions{.client = {.broker = broker_->listen_address()},
                                       .retry_backoff = std::chrono::milliseconds(10),
                                       .retry_backoff_max = std::chrono::milliseconds(50)});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::future<Result<RecordMetadata>>> acks;
  for (int i = 0; i < 20; ++i) {
    Record record;
    record.value = "r" + std::to_string(i);
    acks.push_back((*producer)->Send("orders", std::move(record), 0));
  }
  // The store keeps retrying (its WAL syncs meet the full disk) and the records wait.
  const int before = fs_->injected.load();
  ASSERT_TRUE(WaitUntil([&] { return fs_->injected.load() >= before + 3; }));
  for (auto& ack : acks)
    EXPECT_NE(ack.wait_for(std::chrono::seconds(0)), std::future_status::ready);

  // Space is back: no restart, no operator.
  fs_->fail_syncs = false;
  for (auto& ack : acks) {
    Result<RecordMetadata> result = ack.get();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
  }
  ASSERT_TRUE(WaitUntil([&] { return Get("/readyz").status == 200; }));
  const std::string after = Get("/metrics").body;
  EXPECT_TRUE(absl::StrContains(after, "\nchoreo_storage_writes_refused 0\n")) << after;
  EXPECT_FALSE(absl::StrContains(after, "\nchoreo_storage_write_recoveries_total 0\n")) << after;

  // Exactly the 4 batches of 2 from before and the 20 records, each once, in order.
  fetched = client_->Call(FetchRequest("orders", 0, 0));
  ASSERT_TRUE(fetched);
  std::vector<std::string> values;
  for (const proto::FetchedBatch& batch : fetched->fetch().partitions(0).batches())
    for (std::string& value : BatchValues(batch.batch()))
      values.push_back(value);
  ASSERT_EQ(values.size(), 28u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(values[8 + i], "r" + std::to_string(i));
}

}  // namespace
}  // namespace choreo::broker::testing
