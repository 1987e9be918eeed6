// Producer: how records become batches and where they go (batching by size and linger, sticky and
// keyed partitioning, metadata checks, broker limits, compression), against a FakeLog.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/partitioner.h"
#include "client/record_codec.h"
#include "tests/client/producer_test_util.h"

namespace choreo::testing {
namespace {

// Values padded to 100 bytes that start with their index, e.g. "17:xxxx...".
std::string IndexedValue(int i) {
  std::string value = std::to_string(i) + ":";
  value.resize(100, 'x');
  return value;
}
int IndexOf(const std::string& value) {
  return std::stoi(value.substr(0, value.find(':')));
}

TEST(ProducerBatchingTest, PutsRecordFieldsOnTheWireIdempotently) {
  LogBroker fake;
  fake.log.CreateTopic("orders", 1);
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  const int64_t before = client_internal::NowMs();
  Result<RecordMetadata> sent =
      producer->Send("orders", Record{"user-1", "created", {{"type", "OrderCreated"}}, 0}).get();
  const int64_t after = client_internal::NowMs();
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->topic, "orders");
  EXPECT_EQ(sent->partition, 0u);
  EXPECT_EQ(sent->offset, 0);
  Result<RecordMetadata> batch =
      producer->SendBatch("orders", 0, {ValueRecord("", "a"), Record{"", "b", {}, 6}}).get();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->offset, 1);  // the first record of the batch
  ASSERT_TRUE(producer->Close(kLong).ok());

  const std::vector<proto::InitProducerRequest> inits = fake.log.InitRequests();
  ASSERT_EQ(inits.size(), 1u);
  EXPECT_EQ(inits[0].producer_id(), -1);
  const std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
  ASSERT_EQ(requests.size(), 2u);
  proto::RecordBatch header;
  proto::RecordList records = DecodeRecords(requests[0].batch(), &header);
  EXPECT_EQ(header.producer_id(), 1000);  // granted by InitProducer
  EXPECT_EQ(header.producer_epoch(), 0);
  EXPECT_EQ(header.base_sequence(), 0);
  ASSERT_EQ(records.records_size(), 1);
  EXPECT_EQ(records.records(0).key(), "user-1");
  EXPECT_EQ(records.records(0).value(), "created");
  EXPECT_EQ(records.records(0).headers(0).value(), "OrderCreated");
  EXPECT_GE(records.records(0).timestamp_ms(), before);  // 0 became "now"
  EXPECT_LE(records.records(0).timestamp_ms(), after);
  records = DecodeRecords(requests[1].batch(), &header);
  EXPECT_EQ(header.base_sequence(), 1);  // continues after the first batch's one record
  ASSERT_EQ(records.records_size(), 2);
  EXPECT_EQ(records.records(1).timestamp_ms(), 6);  // explicit timestamps are kept
}

TEST(ProducerBatchingTest, SendsABatchWhenItReachesBatchBytes) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  ProducerOptions options = fake.Options();
  options.batch_bytes = 1000;
  options.linger = std::chrono::minutes(10);  // only size (or Flush) sends a batch
  options.adaptive_linger = false;            // nor an idle partition
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  constexpr int kRecords = 40;
  for (int i = 0; i < kRecords; ++i)
    producer->Send("t", ValueRecord("", IndexedValue(i)), 0, outcomes.For(i));
  // A 100-byte value takes 111 bytes in a batch: 9 records fill one. Four full batches (36
  // records) go out without waiting for the linger; the last 4 records wait.
  ASSERT_TRUE(outcomes.WaitFor(36));
  std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
  ASSERT_EQ(requests.size(), 4u);
  for (const proto::ProduceRequest& request : requests) {
    proto::RecordBatch header;
    EXPECT_EQ(DecodeRecords(request.batch(), &header).records_size(), 9);
    EXPECT_LE(header.uncompressed_bytes(), 1000u);
  }
  EXPECT_EQ(outcomes.Get().size(), 36u);
  ASSERT_TRUE(producer->Flush(kLong).ok());
  EXPECT_EQ(fake.log.ProduceRequests().size(), 5u);
  const auto results = outcomes.Get();
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(results.at(i).ok()) << results.at(i).status().ToString();
    EXPECT_EQ(results.at(i)->offset, i);  // base offset + index within the batch
  }
  EXPECT_EQ(outcomes.repeated(), 0);
}

TEST(ProducerBatchingTest, SendsABatchWhenItsLingerExpires) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  ProducerOptions options = fake.LingeringOptions(milliseconds(200));
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  for (int i = 0; i < 20; ++i)
    producer->Send("t", ValueRecord("", IndexedValue(i)), std::nullopt, outcomes.For(i));
  ASSERT_TRUE(outcomes.WaitFor(20));  // no Flush(): the linger sent them
  const std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
  ASSERT_EQ(requests.size(), 1u);
  proto::RecordBatch header;
  EXPECT_EQ(DecodeRecords(requests[0].batch(), &header).records_size(), 20);
}

TEST(ProducerBatchingTest, AdaptiveLingerSendsAtOnceToAnIdlePartition) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  ProducerOptions options = fake.Options();
  options.linger = std::chrono::minutes(10);
  options.adaptive_linger = true;
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  // Nothing is in flight: the record goes without waiting for the linger (or a Flush()).
  std::future<Result<RecordMetadata>> sent = producer->Send("t", ValueRecord("", "alone"));
  ASSERT_EQ(sent.wait_for(kLong), std::future_status::ready);
  EXPECT_TRUE(sent.get().ok());
}

TEST(ProducerBatchingTest, AdaptiveLingerBatchesWhileARequestIsInFlight) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  // The broker takes a while to answer the first request.
  std::atomic<bool> first_arrived{false};
  fake.log.SetProduceHook([&](const proto::ProduceRequest&, int n) {
    if (n == 0) {
      first_arrived = true;
      std::this_thread::sleep_for(milliseconds(300));  // a slow broker, not synchronization
    }
    return FakeLog::Decision{};
  });
  ProducerOptions options = fake.Options();
  options.linger = std::chrono::minutes(10);
  options.adaptive_linger = true;
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  producer->Send("t", ValueRecord("", IndexedValue(0)), 0, outcomes.For(0));
  const auto deadline = std::chrono::steady_clock::now() + kLong;
  while (!first_arrived && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_TRUE(first_arrived);
  // The partition is busy: these wait, together, until the first request is answered (not for
  // the 10-minute linger).
  for (int i = 1; i < 10; ++i)
    producer->Send("t", ValueRecord("", IndexedValue(i)), 0, outcomes.For(i));
  ASSERT_TRUE(outcomes.WaitFor(10));
  const std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
  ASSERT_EQ(requests.size(), 2u);
  proto::RecordBatch header;
  EXPECT_EQ(DecodeRecords(requests[1].batch(), &header).records_size(), 9);
  const auto results = outcomes.Get();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(results.at(i).ok()) << results.at(i).status().ToString();
    EXPECT_EQ(results.at(i)->offset, i);
  }
}

TEST(ProducerBatchingTest, FlushSendsLingeringBatchesAtOnce) {
  LogBroker fake;
  fake.log.CreateTopic("t", 3);
  ProducerOptions options = fake.LingeringOptions(std::chrono::minutes(10));
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  for (int i = 0; i < 9; ++i)
    producer->Send("t", ValueRecord("", "v"), i % 3, outcomes.For(i));
  ASSERT_TRUE(producer->Flush(kLong).ok());
  EXPECT_EQ(outcomes.Get().size(), 9u);              // Flush() returns after the callbacks
  EXPECT_EQ(fake.log.ProduceRequests().size(), 3u);  // one batch per partition
  for (uint32_t p = 0; p < 3; ++p)
    EXPECT_EQ(fake.log.Records("t", p).size(), 3u);
}

TEST(ProducerBatchingTest, UnkeyedRecordsStickToAPartitionPerBatch) {
  LogBroker fake;
  fake.log.CreateTopic("t", 4);
  ProducerOptions options = fake.LingeringOptions(std::chrono::minutes(10));
  options.batch_bytes = 1000;  // 9 records per batch
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  constexpr int kRecords = 90;
  for (int i = 0; i < kRecords; ++i)
    producer->Send("t", ValueRecord("", IndexedValue(i)), std::nullopt, outcomes.For(i));
  ASSERT_TRUE(producer->Flush(kLong).ok());

  // Each batch holds consecutive records; the next batch goes to another partition.
  std::map<int, uint32_t> partition_of_batch;  // first record index -> partition
  for (const proto::ProduceRequest& request : fake.log.ProduceRequests()) {
    proto::RecordBatch header;
    const proto::RecordList records = DecodeRecords(request.batch(), &header);
    ASSERT_EQ(records.records_size(), 9);
    const int first = IndexOf(records.records(0).value());
    for (int i = 0; i < records.records_size(); ++i)
      EXPECT_EQ(IndexOf(records.records(i).value()), first + i);
    partition_of_batch[first] = request.partition();
  }
  ASSERT_EQ(partition_of_batch.size(), 10u);
  std::set<uint32_t> used;
  uint32_t previous = 99;
  for (const auto& [first, partition] : partition_of_batch) {
    EXPECT_NE(partition, previous) << "batch starting at record " << first;
    previous = partition;
    used.insert(partition);
  }
  EXPECT_GE(used.size(), 2u);
  const auto results = outcomes.Get();
  for (int i = 0; i < kRecords; ++i)
    EXPECT_EQ(results.at(i)->partition, partition_of_batch.at(i / 9 * 9));
}

TEST(ProducerBatchingTest, KeyedRecordsGoToTheirMurmur2PartitionInOrder) {
  LogBroker fake;
  fake.log.CreateTopic("t", 4);
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  constexpr int kKeys = 50;
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < kKeys; ++k) {
      producer->Send("t", ValueRecord("key-" + std::to_string(k), std::to_string(round)),
                     std::nullopt, outcomes.For(round * kKeys + k));
    }
  }
  ASSERT_TRUE(producer->Flush(kLong).ok());
  const auto results = outcomes.Get();
  for (int i = 0; i < 3 * kKeys; ++i) {
    ASSERT_TRUE(results.at(i).ok());
    EXPECT_EQ(results.at(i)->partition,
              DefaultPartitionForKey("key-" + std::to_string(i % kKeys), 4));
  }
  for (uint32_t p = 0; p < 4; ++p) {
    std::map<std::string, int> last_round;
    for (const FakeLog::StoredRecord& record : fake.log.Records("t", p)) {
      EXPECT_EQ(DefaultPartitionForKey(record.key, 4), p);
      const int round = std::stoi(record.value);
      auto [it, first] = last_round.emplace(record.key, round);
      if (!first) {
        EXPECT_EQ(round, std::exchange(it->second, round) + 1) << record.key;
      }
    }
  }
}

class FixedPartitioner final : public Partitioner {
 public:
  explicit FixedPartitioner(uint32_t partition) : partition_(partition) {}
  uint32_t Partition(std::string_view, std::string_view, uint32_t) const override {
    return partition_;
  }

 private:
  uint32_t partition_;
};

TEST(ProducerBatchingTest, UsesACustomPartitionerForKeyedRecords) {
  LogBroker fake;
  fake.log.CreateTopic("t", 4);
  ProducerOptions options = fake.Options();
  options.partitioner = std::make_shared<FixedPartitioner>(3);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  EXPECT_EQ(producer->Send("t", ValueRecord("a", "1")).get()->partition, 3u);
  EXPECT_EQ(producer->Send("t", ValueRecord("b", "2"), 1).get()->partition, 1u);  // explicit wins

  options.partitioner = std::make_shared<FixedPartitioner>(7);  // out of range
  std::unique_ptr<Producer> broken = fake.Create(options);
  ASSERT_NE(broken, nullptr);
  EXPECT_EQ(broken->Send("t", ValueRecord("a", "1")).get().status().code(),
            ErrorCode::kInvalidPartition);
}

TEST(ProducerBatchingTest, ChecksMetadataBeforeFailingTopicOrPartition) {
  LogBroker fake;
  fake.log.CreateTopic("t", 2);
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  Result<RecordMetadata> unknown = producer->Send("nope", ValueRecord("", "v")).get();
  EXPECT_EQ(unknown.status().code(), ErrorCode::kUnknownTopic) << unknown.status().ToString();
  EXPECT_NE(unknown.status().message().find("nope"), std::string::npos);

  ASSERT_TRUE(producer->Send("t", ValueRecord("", "v"), 1).get().ok());
  const int fetches = fake.log.MetadataRequests();
  // Partition 5 is beyond the known count: refreshed once, then refused.
  EXPECT_EQ(producer->Send("t", ValueRecord("", "v"), 5).get().status().code(),
            ErrorCode::kInvalidPartition);
  EXPECT_EQ(fake.log.MetadataRequests(), fetches + 1);
  // A topic created later is found by the next send.
  fake.log.CreateTopic("nope", 1);
  EXPECT_TRUE(producer->Send("nope", ValueRecord("", "v")).get().ok());
  EXPECT_EQ(producer->SendBatch("t", 0, {}).get().status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->Send("", ValueRecord("", "v")).get().status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(ProducerBatchingTest, KeepsBatchesWithinTheBrokersLimits) {
  LogBroker fake;
  proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
  handshake.set_max_batch_bytes(2000);
  fake.broker.SetHandshake(handshake);
  fake.log.CreateTopic("t", 1);
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());  // batch_bytes 256 KiB
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  for (int i = 0; i < 50; ++i)
    producer->Send("t", ValueRecord("", IndexedValue(i)), 0, outcomes.For(i));
  ASSERT_TRUE(producer->Flush(kLong).ok());
  for (const auto& [i, result] : outcomes.Get())
    EXPECT_TRUE(result.ok()) << i << ": " << result.status().ToString();
  for (const proto::ProduceRequest& request : fake.log.ProduceRequests())
    EXPECT_LE(request.batch().size(), 2000u);
  // One record that cannot fit any batch fails at once, unsent.
  Result<RecordMetadata> huge = producer->Send("t", ValueRecord("", std::string(5000, 'x'))).get();
  EXPECT_EQ(huge.status().code(), ErrorCode::kMessageTooLarge) << huge.status().ToString();
}

TEST(ProducerBatchingTest, CompressesBatches) {
  for (Compression codec : {Compression::kLz4, Compression::kZstd}) {
    LogBroker fake;
    fake.log.CreateTopic("t", 1);
    ProducerOptions options = fake.LingeringOptions(std::chrono::minutes(10));
    options.compression = codec;
    std::unique_ptr<Producer> producer = fake.Create(options);
    ASSERT_NE(producer, nullptr);
    for (int i = 0; i < 100; ++i)
      producer->Send("t", ValueRecord("", IndexedValue(i)), 0);
    ASSERT_TRUE(producer->Flush(kLong).ok());
    const std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
    ASSERT_EQ(requests.size(), 1u);
    proto::RecordBatch header;
    DecodeRecords(requests[0].batch(), &header);
    EXPECT_NE(header.compression(), proto::COMPRESSION_NONE);
    EXPECT_LT(requests[0].batch().size(), header.uncompressed_bytes() / 4);  // 'x' padding
    const std::vector<FakeLog::StoredRecord> stored = fake.log.Records("t", 0);
    ASSERT_EQ(stored.size(), 100u);
    EXPECT_EQ(stored[42].value, IndexedValue(42));
  }
}

}  // namespace
}  // namespace choreo::testing
