// GroupBuilder's rollback: after a failed group write, offsets, byte positions and producer state
// must be exactly as before the group, so that retries are appended (not taken for duplicates of
// batches that were never written) at the offsets the failed batches would have had. A failed WAL
// write leaves RocksDB read-only (see fault_test.cc), so this is tested on the builder directly.
#include "storage/group_builder.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/meta_format.h"
#include "storage/producer_registry.h"
#include "storage/store_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

class GroupBuilderTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    absl::StatusOr<std::unique_ptr<StoreDb>> db = StoreDb::Open(options_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    producers_ = std::make_unique<ProducerRegistry>(*db_, FsyncPolicy::kNever);
    ASSERT_TRUE(producers_->Load(/*now_ms=*/0).ok());
    absl::StatusOr<ProducerIdentity> producer = producers_->Init(-1, 0, false, /*now_ms=*/0);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *producer;
    topic_ = std::make_shared<TopicState>(
        TopicInfo{.id = TopicId{1}, .name = "orders", .config = {.partitions = 1}});
  }
  void TearDown() override {
    producers_.reset();
    db_.reset();
    StoreTest::TearDown();
  }

  PendingAppend Batch(int32_t sequence, uint32_t records) {
    return PendingAppend{.topic = topic_,
                         .partition = 0,
                         .batch = "bytes",
                         .fields = {.record_count = records,
                                    .producer_id = producer_.producer_id,
                                    .producer_epoch = producer_.epoch,
                                    .base_sequence = sequence},
                         .done = nullptr};
  }

  std::unique_ptr<StoreDb> db_;
  std::unique_ptr<ProducerRegistry> producers_;
  ProducerIdentity producer_;
  std::shared_ptr<TopicState> topic_;
};

TEST_F(GroupBuilderTest, RollbackRestoresOffsetsAndProducerState) {
  PartitionState& partition = topic_->partitions[0];
  {
    GroupBuilder committed(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
    ASSERT_TRUE(committed.Add(Batch(0, 2)).ok());
    ASSERT_TRUE(committed.Seal().ok());
    committed.Publish();
  }
  const ProducerPartitionState before = partition.producers.at(producer_.producer_id);
  ASSERT_EQ(partition.next_offset, 2);
  ASSERT_EQ(partition.next_end_bytes, 5);

  GroupBuilder failed(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
  EXPECT_EQ(failed.Add(Batch(2, 3))->base_offset, 2);
  EXPECT_TRUE(failed.Add(Batch(2, 3))->duplicate);  // a retry within the same group
  EXPECT_EQ(failed.Add(Batch(5, 1))->base_offset, 5);
  ASSERT_TRUE(failed.Seal().ok());
  EXPECT_EQ(partition.next_end_bytes, 15);
  failed.Rollback();  // as after a failed Write
  EXPECT_EQ(partition.next_offset, 2);
  EXPECT_EQ(partition.next_end_bytes, 5);
  {
    MutexLock lock(&partition.size_mu);
    EXPECT_EQ(partition.appended_bytes, 5);
  }
  EXPECT_EQ(partition.producers.at(producer_.producer_id), before);
  EXPECT_EQ(partition.high_watermark.load(), 2);

  // The retry of the failed group is appended at the same offsets, not answered as a duplicate.
  GroupBuilder retry(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
  absl::StatusOr<AppendResult> again = retry.Add(Batch(2, 3));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->duplicate);
  EXPECT_EQ(again->base_offset, 2);
  ASSERT_TRUE(retry.Seal().ok());
  EXPECT_EQ(partition.next_end_bytes, 10);
}

// Seal() stages one end position per partition appended to, after its last batch of the group.
TEST_F(GroupBuilderTest, SealStagesTheEndBytePositionOncePerPartition) {
  topic_ = std::make_shared<TopicState>(
      TopicInfo{.id = TopicId{7}, .name = "plain", .config = {.partitions = 3}});
  auto plain = [&](PartitionId partition, std::string batch) {
    return PendingAppend{.topic = topic_,
                         .partition = partition,
                         .batch = std::move(batch),
                         .fields = {.record_count = 1},
                         .done = nullptr};
  };
  GroupBuilder builder(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
  ASSERT_TRUE(builder.Add(plain(0, "abc")).ok());
  ASSERT_TRUE(builder.Add(plain(2, "de")).ok());
  ASSERT_TRUE(builder.Add(plain(0, "fghij")).ok());
  ASSERT_TRUE(builder.Seal().ok());
  EXPECT_EQ(builder.batch().Count(), 3u + 2u);  // three records, two end positions

  struct Collect : rocksdb::WriteBatch::Handler {
    std::map<std::string, std::string> meta;
    uint32_t meta_cf = 0;
    rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
      if (cf == meta_cf) meta[key.ToString()] = value.ToString();
      return rocksdb::Status::OK();
    }
  } collect;
  collect.meta_cf = db_->meta->GetID();
  ASSERT_TRUE(builder.batch().Iterate(&collect).ok());
  EXPECT_EQ(collect.meta, (std::map<std::string, std::string>{
                              {EndBytesMetaKey(TopicId{7}, 0), EncodeEndBytes(8)},
                              {EndBytesMetaKey(TopicId{7}, 2), EncodeEndBytes(2)}}));
  builder.Publish();
  MutexLock lock(&topic_->partitions[0].size_mu);
  EXPECT_EQ(topic_->partitions[0].appended_bytes, 8);
}

TEST_F(GroupBuilderTest, RollbackForgetsAProducerNewToThePartition) {
  PartitionState& partition = topic_->partitions[0];
  GroupBuilder failed(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
  ASSERT_TRUE(failed.Add(Batch(0, 1)).ok());
  failed.Rollback();
  EXPECT_TRUE(partition.producers.empty());
  EXPECT_EQ(partition.next_offset, 0);
  GroupBuilder retry(*db_, *producers_, /*index=*/nullptr, /*now_ms=*/0);
  EXPECT_EQ(StoreErrorKindOf(retry.Add(Batch(1, 1)).status()), StoreErrorKind::kOutOfOrderSequence);
}

}  // namespace
}  // namespace choreo::storage
