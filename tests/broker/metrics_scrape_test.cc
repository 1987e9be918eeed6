// The broker's /metrics after known traffic: the values are the traffic's, and the text is valid
// Prometheus exposition format. Also /healthz and /readyz.
#include <gtest/gtest.h>

#include <string>

#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"
#include "tests/broker/prometheus_text.h"

namespace choreo::broker::testing {
namespace {

class MetricsScrapeTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    options.max_fetch_bytes = 1 << 20;
    StartBroker(options);
    ASSERT_NE(broker_->http_port(), 0);
  }

  std::string Scrape() {
    HttpReply reply = HttpGet(broker_->http_port(), "/metrics");
    EXPECT_EQ(reply.status, 200);
    return reply.body;
  }
};

TEST_F(MetricsScrapeTest, ValuesMatchKnownTraffic) {
  auto client = Connect();
  CreateTopic(*client, "orders", 2);
  uint64_t p0_bytes = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string batch = MakeBatch(4, "r");
    p0_bytes += batch.size();
    ASSERT_EQ(client->Call(ProduceRequest("orders", 0, batch))->error().code(), proto::NONE);
  }
  const std::string p1_batch = MakeBatch(2);
  ASSERT_EQ(client->Call(ProduceRequest("orders", 1, p1_batch))->error().code(), proto::NONE);
  // One request error, and one fetch that asks for more than the broker's cap.
  ASSERT_EQ(client->Call(ProduceRequest("nope", 0, MakeBatch(1)))->error().code(),
            proto::UNKNOWN_TOPIC);
  proto::Request fetch = FetchRequest("orders", 0, 0);
  fetch.mutable_fetch()->set_max_bytes(64 << 20);
  std::optional<proto::Response> fetched = client->Call(fetch);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->fetch().partitions(0).batches_size(), 3);

  const std::string text = Scrape();
  ASSERT_TRUE(IsValidPrometheusText(text)) << text;
  auto value = [&](const std::string& series) {
    std::optional<double> v = SampleValue(text, series);
    EXPECT_TRUE(v.has_value()) << "no sample " << series << " in\n" << text;
    return v.value_or(-1);
  };
  const std::string p0 = "{topic=\"orders\",partition=\"0\"}";
  const std::string p1 = "{topic=\"orders\",partition=\"1\"}";
  EXPECT_EQ(value("choreo_partition_log_start_offset" + p0), 0);
  EXPECT_EQ(value("choreo_partition_log_end_offset" + p0), 12);
  EXPECT_EQ(value("choreo_partition_log_end_offset" + p1), 2);
  EXPECT_EQ(value("choreo_partition_produced_records_total" + p0), 12);
  EXPECT_EQ(value("choreo_partition_produced_bytes_total" + p0), p0_bytes);
  EXPECT_EQ(value("choreo_partition_produced_records_total" + p1), 2);
  EXPECT_EQ(value("choreo_partition_fetched_records_total" + p0), 12);
  EXPECT_EQ(value("choreo_partition_fetched_bytes_total" + p0), p0_bytes);
  EXPECT_EQ(value("choreo_partition_fetched_records_total" + p1), 0);
  EXPECT_EQ(value("choreo_topics"), 1);

  EXPECT_EQ(value("choreo_requests_total{api=\"produce\"}"), 5);
  EXPECT_EQ(value("choreo_requests_total{api=\"fetch\"}"), 1);
  EXPECT_EQ(value("choreo_requests_total{api=\"create_topics\"}"), 1);
  EXPECT_EQ(value("choreo_requests_total{api=\"handshake\"}"), 1);
  EXPECT_EQ(value("choreo_request_errors_total{api=\"produce\",code=\"unknown_topic\"}"), 1);
  EXPECT_EQ(value("choreo_request_duration_seconds_count{api=\"produce\"}"), 5);
  EXPECT_EQ(value("choreo_request_duration_seconds_bucket{api=\"produce\",le=\"+Inf\"}"), 5);
  EXPECT_EQ(value("choreo_append_duration_seconds_count"), 4);
  EXPECT_EQ(value("choreo_produce_batch_bytes_count"), 4);
  EXPECT_EQ(value("choreo_produce_pending_bytes"), 0);

  // Storage: produced one at a time, each batch is its own group commit.
  EXPECT_EQ(value("choreo_partition_bytes" + p0), p0_bytes);
  EXPECT_EQ(value("choreo_partition_bytes" + p1), p1_batch.size());
  EXPECT_EQ(value("choreo_group_commit_batches_count"), 4);
  EXPECT_EQ(value("choreo_group_commit_batches_sum"), 4);
  EXPECT_EQ(value("choreo_group_commit_records_sum"), 14);
  EXPECT_EQ(value("choreo_group_commit_bytes_sum"), p0_bytes + p1_batch.size());
  EXPECT_EQ(value("choreo_storage_write_duration_seconds_count"), 4);
  EXPECT_EQ(value("choreo_fsync_duration_seconds_count"), 0);  // --fsync=never
  EXPECT_GE(value("choreo_rocksdb_pending_compaction_bytes"), 0);
  EXPECT_GE(value("choreo_rocksdb_sst_bytes"), 0);
  EXPECT_GE(value("choreo_rocksdb_live_sst_bytes"), 0);
  EXPECT_GT(value("choreo_rocksdb_memtable_bytes"), p0_bytes);
  EXPECT_GE(value("choreo_rocksdb_running_compactions"), 0);

  EXPECT_EQ(value("choreo_connections"), 1);
  EXPECT_EQ(value("choreo_connections_accepted_total"), 1);
  EXPECT_EQ(value("choreo_limit_hits_total{limit=\"max_fetch_bytes\"}"), 1);
  EXPECT_EQ(value("choreo_limit_hits_total{limit=\"max_connections\"}"), 0);
  EXPECT_GT(value("choreo_data_dir_bytes"), 0);
  EXPECT_GT(value("process_resident_memory_bytes"), 0);
  EXPECT_GT(value("process_open_fds"), 0);
}

TEST_F(MetricsScrapeTest, FsyncAlwaysTimesEveryGroupCommitsFsync) {
  BrokerOptions options = DefaultOptions();
  options.http_listen = "127.0.0.1:0";
  options.store.fsync = storage::FsyncPolicy::kAlways;
  StartBroker(options);
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(client->Call(ProduceRequest("orders", 0, MakeBatch(3)))->error().code(), proto::NONE);

  const std::string text = Scrape();
  ASSERT_TRUE(IsValidPrometheusText(text)) << text;
  EXPECT_EQ(SampleValue(text, "choreo_fsync_duration_seconds_count"), 3);
  EXPECT_GE(SampleValue(text, "choreo_fsync_duration_seconds_sum").value_or(-1), 0);
  EXPECT_EQ(SampleValue(text, "choreo_group_commit_batches_sum"), 3);
  EXPECT_EQ(SampleValue(text, "choreo_fsync_failures_total"), 0);
}

TEST_F(MetricsScrapeTest, GroupLagAndMembers) {
  auto client = Connect();
  CreateTopic(*client, "orders", 1);
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(client->Call(ProduceRequest("orders", 0, MakeBatch(5)))->error().code(), proto::NONE);
  proto::Request commit;  // an administrative commit (the group has no members)
  commit.mutable_offset_commit()->set_group_id("billing");
  auto* p = commit.mutable_offset_commit()->add_partitions();
  p->set_topic("orders");
  p->set_partition(0);
  p->set_offset(3);
  std::optional<proto::Response> committed = client->Call(commit);
  ASSERT_TRUE(committed);
  ASSERT_EQ(committed->error().code(), proto::NONE) << committed->error().message();

  const std::string text = Scrape();
  ASSERT_TRUE(IsValidPrometheusText(text)) << text;
  const std::string series = "{group=\"billing\",topic=\"orders\",partition=\"0\"}";
  EXPECT_EQ(SampleValue(text, "choreo_group_committed_offset" + series), 3);
  EXPECT_EQ(SampleValue(text, "choreo_group_lag" + series), 7);
  EXPECT_EQ(SampleValue(text, "choreo_group_members{group=\"billing\"}"), 0);
}

TEST_F(MetricsScrapeTest, HealthAndReadiness) {
  EXPECT_EQ(HttpGet(broker_->http_port(), "/healthz").status, 200);
  HttpReply ready = HttpGet(broker_->http_port(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(HttpGet(broker_->http_port(), "/nothing").status, 404);
}

TEST_F(MetricsScrapeTest, ClosedConnectionsAreCountedDown) {
  {
    auto a = Connect();
    auto b = Connect();
    EXPECT_TRUE(WaitUntil([&] { return SampleValue(Scrape(), "choreo_connections") == 2; }));
  }
  EXPECT_TRUE(WaitUntil([&] { return SampleValue(Scrape(), "choreo_connections") == 0; }));
  EXPECT_EQ(SampleValue(Scrape(), "choreo_connections_accepted_total"), 2);
}

TEST_F(MetricsScrapeTest, DisabledHttpHasNoPort) {
  BrokerOptions options = DefaultOptions();
  options.http_listen = "";
  StartBroker(options);
  EXPECT_EQ(broker_->http_port(), 0);
}

}  // namespace
}  // namespace choreo::broker::testing
