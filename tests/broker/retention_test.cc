// Retention through the broker: the scheduler runs the store's pass, by age and by size, set at
// creation or later with AlterTopic; fetches below the new log start are OFFSET_OUT_OF_RANGE with
// that start; reads racing with deletion never see a gap or a wrong record; the disk space
// really comes back.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"

namespace choreo::broker::testing {
namespace {

// "name size" per file, for failure messages.
std::string ListFiles(const std::string& dir) {
  std::string out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::error_code ec;
    out += entry.path().filename().string() + " " +
           std::to_string(entry.is_regular_file(ec) ? entry.file_size(ec) : 0) + "\n";
  }
  return out;
}

class RetentionTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker(RetentionOptions());
    client_ = Connect();
  }

  BrokerOptions RetentionOptions() const {
    BrokerOptions options = DefaultOptions();
    options.retention_check_interval = absl::Milliseconds(20);
    options.store.retention_min_trim_bytes = 0;  // trim every step: more races
    return options;
  }

  void Create(const std::string& topic, const proto::TopicConfig& config) {
    std::optional<proto::Response> response = client_->Call(CreateTopicRequest(topic, config));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->create_topics().results(0).error().code(), proto::NONE)
        << response->create_topics().results(0).error().message();
  }

  void Produce(const std::string& topic, const std::string& batch) {
    std::optional<proto::Response> response = client_->Call(ProduceRequest(topic, 0, batch));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->error().code(), proto::NONE) << response->error().message();
  }

  // (log start, high watermark) of partition 0, from metadata.
  std::pair<int64_t, int64_t> Offsets(const std::string& topic) {
    std::optional<proto::Response> response = client_->Call(MetadataRequest({topic}));
    if (!response || response->metadata().topics(0).partitions_size() == 0) return {-1, -1};
    const proto::PartitionMetadata& p = response->metadata().topics(0).partitions(0);
    return {p.log_start_offset(), p.high_watermark()};
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(RetentionTest, AgeRetentionDropsOldBatchesAndFetchBelowStartIsOutOfRange) {
  Create("events", Config(1, /*retention_ms=*/60'000));
  const int64_t hour_ago = NowMs() - 3'600'000;
  for (int i = 0; i < 5; ++i)
    Produce("events", MakeBatch(2, "old", hour_ago + i * 10));
  Produce("events", MakeBatch(2, "new", NowMs()));

  ASSERT_TRUE(WaitUntil([&] { return Offsets("events").first == 10; }));
  EXPECT_EQ(Offsets("events").second, 12);

  std::optional<proto::Response> below = client_->Call(FetchRequest("events", 0, 3));
  ASSERT_TRUE(below);
  const proto::FetchPartitionResponse& p = below->fetch().partitions(0);
  EXPECT_EQ(p.error().code(), proto::OFFSET_OUT_OF_RANGE);
  EXPECT_EQ(p.log_start_offset(), 10);  // the client learns where to resume

  std::optional<proto::Response> kept = client_->Call(FetchRequest("events", 0, 10));
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->fetch().partitions(0).batches_size(), 1);
  EXPECT_EQ(BatchValues(kept->fetch().partitions(0).batches(0).batch())[0], "new0");
}

TEST_F(RetentionTest, SizeRetentionKeepsAtMostRetentionBytes) {
  constexpr int64_t kRetentionBytes = 16 * 1024;
  Create("sized", Config(1, 0, kRetentionBytes));
  const std::string padding(900, 'x');
  for (int i = 0; i < 40; ++i)
    Produce("sized", MakeBatch(2, padding + std::to_string(i) + "-", NowMs()));

  // Passes ran while the batches arrived; once one has run after the last, what is left adds up
  // to at most retention.bytes (and not much less: whole batches only) and ends with the newest.
  uint64_t bytes = 0;
  int64_t start = 0;
  EXPECT_TRUE(WaitUntil([&] {
    start = Offsets("sized").first;
    std::optional<proto::Response> rest = client_->Call(FetchRequest("sized", 0, start));
    if (!rest || rest->fetch().partitions(0).error().code() != proto::NONE) return false;
    bytes = 0;
    for (const proto::FetchedBatch& batch : rest->fetch().partitions(0).batches())
      bytes += batch.batch().size();
    return bytes <= static_cast<uint64_t>(kRetentionBytes);
  })) << bytes
      << " bytes kept";
  EXPECT_GT(bytes, static_cast<uint64_t>(kRetentionBytes) / 2);
  EXPECT_EQ(Offsets("sized").second, 80);
  EXPECT_EQ(start % 2, 0) << "the log start is always a batch boundary";
}

TEST_F(RetentionTest, RetentionSetLaterWithAlterTopicApplies) {
  Create("later", Config(1));  // broker default: keep forever
  for (int i = 0; i < 4; ++i)
    Produce("later", MakeBatch(1, "old", NowMs() - 3'600'000));
  Produce("later", MakeBatch(1, "new", NowMs()));
  EXPECT_EQ(Offsets("later").first, 0);

  std::optional<proto::Response> altered =
      client_->Call(AlterTopicRequest("later", Config(0, /*retention_ms=*/60'000)));
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->error().code(), proto::NONE) << altered->error().message();
  EXPECT_EQ(altered->alter_topic().topic().config().retention_ms(), 60'000);
  ASSERT_TRUE(WaitUntil([&] { return Offsets("later").first == 4; }));
}

// A producer appends while retention trims the head and a reader keeps re-reading from offset 0,
// so its reads race with the deletions. Every answer is either OFFSET_OUT_OF_RANGE with a log
// start above the requested offset, or batches starting at the batch that holds the offset, with
// exactly the records produced at those offsets.
TEST_F(RetentionTest, ReadsRacingWithDeletionSeeNoGapsAndNoWrongRecords) {
  constexpr int kBatches = 300;
  constexpr int kRecords = 4;
  Create("race", Config(1, 0, /*retention_bytes=*/32 * 1024));
  const std::string padding(500, 'p');
  auto prefix = [&](int64_t batch) { return "b" + std::to_string(batch) + "-" + padding; };

  std::atomic<bool> produced{false};
  std::thread producer([&] {
    TestClient client(broker_->port());
    ASSERT_TRUE(client.Handshake());
    for (int b = 0; b < kBatches; ++b) {
      std::optional<proto::Response> r =
          client.Call(ProduceRequest("race", 0, MakeBatch(kRecords, prefix(b), NowMs())));
      ASSERT_TRUE(r);
      ASSERT_EQ(r->produce().base_offset(), b * kRecords);
    }
    produced = true;
  });

  TestClient reader(broker_->port());
  ASSERT_TRUE(reader.Handshake());
  int64_t offset = 0;
  int out_of_range = 0, passes = 0, batches_read = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<proto::Response> r = reader.Call(FetchRequest("race", 0, offset));
    ASSERT_TRUE(r);
    const proto::FetchPartitionResponse& p = r->fetch().partitions(0);
    if (p.error().code() == proto::OFFSET_OUT_OF_RANGE) {
      ASSERT_GT(p.log_start_offset(), offset) << "out of range, yet not below the log start";
      ++out_of_range;
      offset = p.log_start_offset();
      continue;
    }
    ASSERT_EQ(p.error().code(), proto::NONE) << p.error().message();
    if (p.batches_size() == 0) {
      if (produced && offset == kBatches * kRecords) break;
      ++passes;
      offset = 0;  // back to the head, where retention is deleting
      continue;
    }
    for (const proto::FetchedBatch& batch : p.batches()) {
      const std::vector<std::string> values = BatchValues(batch.batch());
      ASSERT_LE(batch.base_offset(), offset) << "a fetch skipped records";
      ASSERT_GT(batch.base_offset() + static_cast<int64_t>(values.size()), offset);
      ASSERT_EQ(batch.base_offset() % kRecords, 0);
      for (size_t i = 0; i < values.size(); ++i)
        ASSERT_EQ(values[i], prefix(batch.base_offset() / kRecords) + std::to_string(i));
      offset = batch.base_offset() + static_cast<int64_t>(values.size());
      ++batches_read;
    }
  }
  producer.join();
  EXPECT_EQ(offset, kBatches * kRecords) << "the reader did not catch up in time";
  // Whether a read happened to land on a trimmed head is up to the scheduler; a read below the
  // log start once retention has run is not, so that answer is checked outright.
  ASSERT_TRUE(WaitUntil([&] { return Offsets("race").first > 0; }));
  std::optional<proto::Response> below = reader.Call(FetchRequest("race", 0, 0));
  ASSERT_TRUE(below);
  EXPECT_EQ(below->fetch().partitions(0).error().code(), proto::OFFSET_OUT_OF_RANGE);
  EXPECT_GT(below->fetch().partitions(0).log_start_offset(), 0);
  std::printf("racing reader: %d batches read, %d passes, %d out-of-range answers\n", batches_read,
              passes, out_of_range);
}

// The acceptance test for "the disk really comes back": fill a topic, measure the data
// directory, switch on size retention, and watch the directory shrink.
TEST_F(RetentionTest, DiskSpaceComesBackAfterRetention) {
  BrokerOptions options = RetentionOptions();
  options.store.write_buffer_bytes = 1 << 20;  // small memtables: data reaches SST files quickly
  StartBroker(options);
  client_ = Connect();
  Create("bulk", Config(1));
  constexpr int kBatches = 400;
  const std::string padding(7'500, 'd');
  for (int b = 0; b < kBatches; b += 8) {
    for (int i = 0; i < 8; ++i)
      client_->Send(ProduceRequest("bulk", 0, MakeBatch(8, padding + std::to_string(b + i))));
    for (int i = 0; i < 8; ++i) {
      std::optional<proto::Response> r = client_->Receive();
      ASSERT_TRUE(r);
      ASSERT_EQ(r->error().code(), proto::NONE) << r->error().message();
    }
  }
  const uint64_t produced = static_cast<uint64_t>(kBatches) * 8 * padding.size();
  const uint64_t before = DirectoryBytes(data_dir_);
  ASSERT_GE(before, produced * 8 / 10) << "the data is not on disk to begin with";

  std::optional<proto::Response> altered =
      client_->Call(AlterTopicRequest("bulk", Config(0, 0, /*retention_bytes=*/512 * 1024)));
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->error().code(), proto::NONE) << altered->error().message();
  ASSERT_TRUE(WaitUntil([&] { return Offsets("bulk").first > 0; }));
  uint64_t after = before;
  EXPECT_TRUE(WaitUntil(
      [&] {
        after = DirectoryBytes(data_dir_);
        return after < before / 4;
      },
      std::chrono::seconds(30)))
      << "data directory " << before << " bytes before retention, still " << after << " after:\n"
      << ListFiles(data_dir_);
  std::printf("data directory: %llu bytes produced, %llu on disk before retention, %llu after\n",
              static_cast<unsigned long long>(produced), static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(after));
}

}  // namespace
}  // namespace choreo::broker::testing
