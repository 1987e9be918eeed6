// Produce and consume through the client library against a real choreod.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;

Record MakeRecord(uint32_t partition, int i) {
  const std::string id = std::to_string(partition) + "-" + std::to_string(i);
  return Record{"key-" + id,
                "value-" + id,
                {{"event-type", "OrderCreated"}, {"event-id", id}},
                /*timestamp_ms=*/0};
}

using ClientRoundTripTest = BrokerTest;

TEST_F(ClientRoundTripTest, ProduceThenConsumeAcrossPartitions) {
  constexpr uint32_t kPartitions = 3;
  constexpr int kPerPartition = 40;
  CreateTopic("orders", kPartitions);
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);

  // Single records, pipelined, then one batch per partition.
  std::vector<std::future<Result<RecordMetadata>>> singles[kPartitions];
  for (int i = 0; i < kPerPartition; ++i) {
    for (uint32_t p = 0; p < kPartitions; ++p) {
      singles[p].push_back(producer->Send("orders", MakeRecord(p, i), p));
    }
  }
  std::future<Result<RecordMetadata>> batches[kPartitions];
  for (uint32_t p = 0; p < kPartitions; ++p) {
    std::vector<Record> batch;
    for (int i = kPerPartition; i < kPerPartition + 10; ++i)
      batch.push_back(MakeRecord(p, i));
    batches[p] = producer->SendBatch("orders", p, std::move(batch));
  }
  for (uint32_t p = 0; p < kPartitions; ++p) {
    for (int i = 0; i < kPerPartition; ++i) {
      Result<RecordMetadata> acked = singles[p][i].get();
      ASSERT_TRUE(acked.ok()) << acked.status().ToString();
      EXPECT_EQ(acked->topic, "orders");
      EXPECT_EQ(acked->partition, p);
      // One connection, one partition: appended in the order sent.
      EXPECT_EQ(acked->offset, i);
    }
    Result<RecordMetadata> batch = batches[p].get();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_EQ(batch->offset, kPerPartition);
  }
  ASSERT_TRUE(producer->Close(std::chrono::seconds(10)).ok());

  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  Result<TopicDescription> description = admin->DescribeTopic("orders");
  ASSERT_TRUE(description.ok()) << description.status().ToString();
  ASSERT_EQ(description->partitions.size(), kPartitions);
  for (const PartitionDescription& p : description->partitions) {
    EXPECT_EQ(p.log_start_offset, 0);
    EXPECT_EQ(p.high_watermark, kPerPartition + 10);
  }

  std::map<uint32_t, std::vector<ConsumedRecord>> read = ReadTopic(Client(), "orders");
  for (uint32_t p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(read[p].size(), static_cast<size_t>(kPerPartition + 10)) << "partition " << p;
    for (int i = 0; i < kPerPartition + 10; ++i) {
      const ConsumedRecord& got = read[p][i];
      const Record want = MakeRecord(p, i);
      EXPECT_EQ(got.offset, i);
      EXPECT_EQ(got.record.key, want.key);
      EXPECT_EQ(got.record.value, want.value);
      ASSERT_EQ(got.record.headers.size(), 2u);
      EXPECT_EQ(got.record.headers[0].key, "event-type");
      EXPECT_EQ(got.record.headers[1].value, want.headers[1].value);
      EXPECT_GT(got.record.timestamp_ms, 0);
    }
  }
}

TEST_F(ClientRoundTripTest, LongPollingConsumerSeesNewRecords) {
  CreateTopic("events", 1);
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create({.client = Client()});
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{{"events", 0}, std::nullopt, StartFrom::kLatest}}).ok());
  EXPECT_EQ(*(*consumer)->Position({"events", 0}), 0);

  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  std::vector<ConsumedRecord> seen;
  // The producer runs concurrently with a consumer blocked in a long poll.
  std::thread produce([&] {
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(producer->Send("events", Record{"", "e" + std::to_string(i), {}, 0}).get().ok());
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(std::chrono::seconds(5));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    seen.insert(seen.end(), records->begin(), records->end());
  }
  produce.join();
  ASSERT_EQ(seen.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(seen[i].offset, i);
    EXPECT_EQ(seen[i].record.value, "e" + std::to_string(i));
  }
}

TEST_F(ClientRoundTripTest, ErrorsAreReportedWithTheirCodes) {
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(admin->CreateTopic("dup", {.partitions = 2}).ok());
  EXPECT_EQ(admin->CreateTopic("dup", {.partitions = 2}).code(), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(admin->DescribeTopic("missing").status().code(), ErrorCode::kUnknownTopic);

  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  EXPECT_EQ(producer->Send("missing", Record{"", "v", {}, 0}).get().status().code(),
            ErrorCode::kUnknownTopic);
  EXPECT_EQ(producer->Send("dup", Record{"", "v", {}, 0}, 7).get().status().code(),
            ErrorCode::kInvalidPartition);

  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create({.client = Client()});
  ASSERT_TRUE(consumer.ok());
  EXPECT_EQ((*consumer)->Assign({{{"missing", 0}, std::nullopt, StartFrom::kEarliest}}).code(),
            ErrorCode::kUnknownTopic);
  EXPECT_EQ((*consumer)->Assign({{{"dup", 5}, std::nullopt, StartFrom::kEarliest}}).code(),
            ErrorCode::kInvalidPartition);

  ASSERT_TRUE(admin->DeleteTopic("dup").ok());
  EXPECT_EQ(admin->DescribeTopic("dup").status().code(), ErrorCode::kUnknownTopic);
  Result<std::vector<TopicDescription>> topics = admin->ListTopics();
  ASSERT_TRUE(topics.ok());
  for (const TopicDescription& topic : *topics)
    EXPECT_NE(topic.name, "dup");
}

TEST_F(ClientRoundTripTest, ListOffsetReportsLogBounds) {
  CreateTopic("bounds", 1);
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(
      producer
          ->SendBatch("bounds", 0,
                      {Record{"", "a", {}, 0}, Record{"", "b", {}, 0}, Record{"", "c", {}, 0}})
          .get()
          .ok());
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  Result<int64_t> earliest = admin->ListOffset({"bounds", 0}, OffsetSpec::kEarliest);
  Result<int64_t> latest = admin->ListOffset({"bounds", 0}, OffsetSpec::kLatest);
  ASSERT_TRUE(earliest.ok()) << earliest.status().ToString();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(*earliest, 0);
  EXPECT_EQ(*latest, 3);
}

}  // namespace
}  // namespace choreo::e2e
