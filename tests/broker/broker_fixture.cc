#include "tests/broker/broker_fixture.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>

#include "choreo/proto/batch.h"

namespace choreo::broker::testing {

void BrokerFixture::SetUp() {
  spdlog::set_level(spdlog::level::warn);
  std::string pattern =
      (std::filesystem::temp_directory_path() / "choreo_broker_test_XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  data_dir_ = pattern;
  StartBroker(DefaultOptions());
}

void BrokerFixture::TearDown() {
  if (broker_) {
    EXPECT_TRUE(broker_->Shutdown().ok());
  }
  broker_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

BrokerOptions BrokerFixture::DefaultOptions() const {
  BrokerOptions options;
  options.listen = "127.0.0.1:0";
  options.http_listen = "";  // tests that scrape metrics turn it on (port 0)
  options.store.data_dir = data_dir_;
  // Durability is the store's business and tested there; keep these tests fast.
  options.store.fsync = storage::FsyncPolicy::kNever;
  options.max_frame_bytes = 1 << 20;
  options.max_batch_bytes = 64 << 10;
  return options;
}

void BrokerFixture::StartBroker(BrokerOptions options) {
  if (broker_) {
    ASSERT_TRUE(broker_->Shutdown().ok());
  }
  broker_.reset();
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Start(std::move(options));
  ASSERT_TRUE(broker.ok()) << broker.status();
  broker_ = *std::move(broker);
}

std::unique_ptr<TestClient> BrokerFixture::Connect(bool handshake) {
  auto client = std::make_unique<TestClient>(broker_->port());
  if (handshake) {
    EXPECT_TRUE(client->Handshake());
  }
  return client;
}

void BrokerFixture::CreateTopic(TestClient& client, const std::string& name, uint32_t partitions) {
  std::optional<proto::Response> response = client.Call(CreateTopicsRequest({name}, partitions));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->create_topics().results_size(), 1);
  ASSERT_EQ(response->create_topics().results(0).error().code(), proto::NONE)
      << response->create_topics().results(0).error().message();
}

proto::Request MetadataRequest(std::vector<std::string> topics) {
  proto::Request request;
  for (auto& topic : topics)
    request.mutable_metadata()->add_topics(std::move(topic));
  request.mutable_metadata();
  return request;
}

proto::Request CreateTopicsRequest(const std::vector<std::string>& names, uint32_t partitions) {
  proto::Request request;
  for (const std::string& name : names) {
    auto* topic = request.mutable_create_topics()->add_topics();
    topic->set_name(name);
    topic->mutable_config()->set_partitions(partitions);
  }
  return request;
}

proto::Request DeleteTopicsRequest(const std::vector<std::string>& names) {
  proto::Request request;
  for (const std::string& name : names)
    request.mutable_delete_topics()->add_names(name);
  return request;
}

proto::Request ProduceRequest(const std::string& topic, uint32_t partition, std::string batch) {
  proto::Request request;
  proto::ProduceRequest* produce = request.mutable_produce();
  produce->set_topic(topic);
  produce->set_partition(partition);
  produce->set_batch(std::move(batch));
  return request;
}

proto::Request FetchRequest(const std::string& topic, uint32_t partition, int64_t offset,
                            uint32_t max_wait_ms, uint64_t min_bytes) {
  proto::Request request;
  proto::FetchRequest* fetch = request.mutable_fetch();
  auto* p = fetch->add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_offset(offset);
  fetch->set_max_wait_ms(max_wait_ms);
  fetch->set_min_bytes(min_bytes);
  return request;
}

proto::Request ListOffsetsRequest(const std::string& topic, uint32_t partition,
                                  proto::ListOffsetsRequest::Spec spec, int64_t timestamp_ms) {
  proto::Request request;
  auto* p = request.mutable_list_offsets()->add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_spec(spec);
  p->set_timestamp_ms(timestamp_ms);
  return request;
}

std::string MakeBatch(int count, const std::string& prefix, int64_t first_timestamp_ms) {
  proto::RecordList records;
  for (int i = 0; i < count; ++i) {
    proto::Record* record = records.add_records();
    record->set_value(prefix + std::to_string(i));
    record->set_timestamp_ms(first_timestamp_ms + i);
  }
  std::string batch;
  EXPECT_TRUE(proto::EncodeBatch(records, proto::COMPRESSION_NONE, {}, &batch));
  return batch;
}

std::vector<std::string> BatchValues(const std::string& batch_bytes) {
  proto::RecordBatch header;
  proto::RecordList records;
  std::string error;
  EXPECT_EQ(proto::DecodeBatch(batch_bytes, &header, &records, &error), proto::NONE) << error;
  std::vector<std::string> values;
  for (const auto& record : records.records())
    values.push_back(record.value());
  return values;
}

}  // namespace choreo::broker::testing
