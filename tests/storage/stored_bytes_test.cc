// PartitionOffsets::stored_bytes across restarts: the committer stores each partition's end byte
// position ('B' in `meta`) with every group and retention the log start's (in its 'L' value), so
// Open() knows every partition's size without scanning. Data written before those positions were
// stored stays unknown until a size-retention pass measures it.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "tests/storage/raw_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;
using testing::RawDb;

class StoredBytesTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.retention_min_trim_bytes = 0;
  }
  int64_t StoredBytes(const std::string& topic, PartitionId partition) {
    absl::StatusOr<PartitionOffsets> offsets = store_->GetOffsets(topic, partition);
    EXPECT_TRUE(offsets.ok()) << offsets.status();
    return offsets.ok() ? offsets->stored_bytes : -2;
  }
  void Append(const std::string& topic, PartitionId partition, size_t bytes, int64_t ts = 0) {
    absl::StatusOr<AppendResult> result =
        store_->AppendAndWait(topic, partition, MakeBatch(bytes, bytes), Fields(1, ts));
    ASSERT_TRUE(result.ok()) << result.status();
  }
  void Restart() {
    CloseStore();
    OpenStore();
  }
};

TEST_F(StoredBytesTest, ExactAfterRestartsWithoutRetention) {
  OpenStore();
  MustCreate("events", 3);
  // Many groups, several partitions each.
  constexpr int kAppends = 100;
  Mutex mu;
  int done = 0;
  int64_t expected[3] = {0, 0, 0};
  for (int i = 0; i < kAppends; ++i) {
    std::string batch = MakeBatch(10 + i % 13, i);
    expected[i % 2] += static_cast<int64_t>(batch.size());
    store_->Append("events", i % 2, std::move(batch), Fields(1), [&](auto result) {
      EXPECT_TRUE(result.ok()) << result.status();
      MutexLock lock(&mu);
      ++done;
    });
  }
  ASSERT_TRUE(testing::WaitFor(mu, [&] { return done == kAppends; }));
  Restart();
  for (PartitionId p = 0; p < 3; ++p)
    EXPECT_EQ(StoredBytes("events", p), expected[p]) << p;

  Append("events", 0, 7);
  Append("events", 2, 9);
  Restart();
  EXPECT_EQ(StoredBytes("events", 0), expected[0] + 7);
  EXPECT_EQ(StoredBytes("events", 1), expected[1]);
  EXPECT_EQ(StoredBytes("events", 2), 9);
}

TEST_F(StoredBytesTest, EachGroupStoresTheEndPositionOfThePartitionsItAppendedTo) {
  OpenStore();
  TopicInfo topic = MustCreate("events", 2);
  Append("events", 0, 100);
  Append("events", 0, 23);
  CloseStore();
  RawDb raw(options_.data_dir);
  EXPECT_EQ(raw.Get(raw.meta(), EndBytesMetaKey(topic.id, 0)), EncodeEndBytes(123));
  EXPECT_FALSE(raw.Has(raw.meta(), EndBytesMetaKey(topic.id, 1)));  // never appended to
}

TEST_F(StoredBytesTest, ExactAfterRetentionTrimsAndRestarts) {
  OpenStore();
  ASSERT_TRUE(store_->CreateTopic("sized", {.partitions = 1, .retention_bytes = 250}).ok());
  ASSERT_TRUE(store_->CreateTopic("aged", {.partitions = 1, .retention_ms = 100}).ok());
  for (int i = 0; i < 5; ++i) {
    Append("sized", 0, 100);
    Append("aged", 0, 100, /*ts=*/i * 1000);
  }
  // sized: drops 300 of 500; aged: keeps the batches at 3000 and 4000.
  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/3050).value(), 600);
  Restart();
  EXPECT_EQ(StoredBytes("sized", 0), 200);
  EXPECT_EQ(StoredBytes("aged", 0), 200);
  EXPECT_EQ(store_->GetOffsets("aged", 0)->log_start_offset, 3);

  Append("sized", 0, 90);
  Append("aged", 0, 90, /*ts=*/9000);
  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/4050).value(), 200);  // 100 each
  Restart();
  EXPECT_EQ(StoredBytes("sized", 0), 190);
  EXPECT_EQ(StoredBytes("aged", 0), 190);

  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/100000).value(), 190);  // aged: all of it
  Restart();
  EXPECT_EQ(StoredBytes("aged", 0), 0);
  Append("aged", 0, 5, /*ts=*/100000);
  Restart();
  EXPECT_EQ(StoredBytes("aged", 0), 5);
}

TEST_F(StoredBytesTest, DeletedAndRecreatedTopicStartsAtZero) {
  OpenStore();
  TopicInfo first = MustCreate("events", 2);
  Append("events", 0, 100);
  Append("events", 1, 50);
  ASSERT_TRUE(store_->DeleteTopic("events").ok());
  TopicInfo second = MustCreate("events", 2);
  EXPECT_EQ(StoredBytes("events", 0), 0);
  Append("events", 0, 30);
  EXPECT_EQ(StoredBytes("events", 0), 30);
  Restart();
  EXPECT_EQ(StoredBytes("events", 0), 30);
  EXPECT_EQ(StoredBytes("events", 1), 0);
  CloseStore();

  RawDb raw(options_.data_dir);
  EXPECT_FALSE(raw.Has(raw.meta(), EndBytesMetaKey(first.id, 0)));
  EXPECT_FALSE(raw.Has(raw.meta(), EndBytesMetaKey(first.id, 1)));
  EXPECT_TRUE(raw.Has(raw.meta(), EndBytesMetaKey(second.id, 0)));
}

TEST_F(StoredBytesTest, AddedPartitionsStartAtZero) {
  OpenStore();
  MustCreate("events", 1);
  Append("events", 0, 100);
  ASSERT_TRUE(store_->AlterTopic("events", {.partitions = 3}).ok());
  EXPECT_EQ(StoredBytes("events", 1), 0);
  Append("events", 1, 40);
  Restart();
  EXPECT_EQ(StoredBytes("events", 0), 100);
  EXPECT_EQ(StoredBytes("events", 1), 40);
  EXPECT_EQ(StoredBytes("events", 2), 0);
}

// A data directory written before byte positions were stored: no 'B' keys, 'L' values without
// the start's position.
TEST_F(StoredBytesTest, OlderDataStaysUnknownUntilMeasured) {
  OpenStore();
  ASSERT_TRUE(store_->CreateTopic("sized", {.partitions = 1, .retention_bytes = 250}).ok());
  ASSERT_TRUE(store_->CreateTopic("aged", {.partitions = 1, .retention_ms = 100}).ok());
  TopicInfo plain = MustCreate("plain", 1);
  for (int i = 0; i < 3; ++i) {
    Append("sized", 0, 100);
    Append("aged", 0, 100);
    Append("plain", 0, 100);
  }
  CloseStore();
  {
    RawDb raw(options_.data_dir);
    raw.DeleteRange(raw.meta(), std::string(1, kEndBytesKeyPrefix),
                    std::string(1, kEndBytesKeyPrefix + 1));
  }
  OpenStore();
  EXPECT_EQ(StoredBytes("plain", 0), -1);
  EXPECT_EQ(StoredBytes("sized", 0), -1);
  Append("plain", 0, 10);
  EXPECT_EQ(StoredBytes("plain", 0), -1);
  // A size-retention pass measures; time retention empties (but does not measure).
  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/1000).value(), 400);
  EXPECT_EQ(StoredBytes("sized", 0), 200);
  Append("sized", 0, 10);
  EXPECT_EQ(StoredBytes("sized", 0), 210);

  Restart();
  // Positions counted from an Open are never stored: unknown again, never wrong.
  EXPECT_EQ(StoredBytes("plain", 0), -1);
  EXPECT_EQ(StoredBytes("sized", 0), -1);
  ASSERT_TRUE(store_->ApplyRetention(/*now_ms=*/1000).ok());
  EXPECT_EQ(StoredBytes("sized", 0), 210);
  // Emptied, a partition is known (0) and stores its positions from then on.
  EXPECT_EQ(StoredBytes("aged", 0), 0);
  Append("aged", 0, 10, /*ts=*/1000);
  Restart();
  EXPECT_EQ(StoredBytes("aged", 0), 10);
  CloseStore();
  RawDb raw(options_.data_dir);
  EXPECT_FALSE(raw.Has(raw.meta(), EndBytesMetaKey(plain.id, 0)));
}

// A partition emptied by a version that did not store the log start's position (as in
// recovery_test.cc): Open() stores it once, so the size stays known across later restarts.
TEST_F(StoredBytesTest, EmptiedPartitionGetsItsStartPositionStoredAtOpen) {
  OpenStore();
  TopicInfo topic = MustCreate("events", 1);
  for (int i = 0; i < 3; ++i)
    Append("events", 0, 100);
  CloseStore();
  {
    RawDb raw(options_.data_dir);
    raw.Put(raw.meta(), LogStartMetaKey(topic.id, 0), EncodeLogStart({.offset = 3}));
    raw.DeleteRange(raw.records(), AsStringView(EncodeRecordKey(topic.id, 0, 0)),
                    AsStringView(EncodeRecordKey(topic.id, 0, 3)));
  }
  OpenStore();
  EXPECT_EQ(StoredBytes("events", 0), 0);
  Append("events", 0, 10);
  Restart();
  EXPECT_EQ(StoredBytes("events", 0), 10);
  CloseStore();
  RawDb raw(options_.data_dir);
  EXPECT_EQ(raw.Get(raw.meta(), LogStartMetaKey(topic.id, 0)),
            EncodeLogStart({.offset = 3, .start_bytes = 300}));
}

}  // namespace
}  // namespace choreo::storage
