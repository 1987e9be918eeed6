// What the store reports for metrics: the observer's group commits and WAL syncs, the per-partition
// stored bytes (through appends, retention and restarts) and RocksDB's statistics.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "choreo/storage/store_observer.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;

class RecordingObserver : public StoreObserver {
 public:
  void OnGroupCommit(const GroupCommitStats& stats) override {
    MutexLock lock(&mu);
    commits.push_back(stats);
  }
  void OnWalSync(absl::Duration duration, bool ok) override {
    MutexLock lock(&mu);
    syncs.push_back(duration);
    failed_syncs += ok ? 0 : 1;
  }

  Mutex mu;
  std::vector<GroupCommitStats> commits CHOREO_GUARDED_BY(mu);
  std::vector<absl::Duration> syncs CHOREO_GUARDED_BY(mu);
  int failed_syncs CHOREO_GUARDED_BY(mu) = 0;
};

class StoreStatsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.observer = &observer_;
  }
  void TearDown() override {
    CloseStore();  // before the observer goes away
    StoreTest::TearDown();
  }
  int64_t StoredBytes(const std::string& topic, PartitionId partition) {
    absl::StatusOr<PartitionOffsets> offsets = store_->GetOffsets(topic, partition);
    EXPECT_TRUE(offsets.ok()) << offsets.status();
    return offsets.ok() ? offsets->stored_bytes : -2;
  }

  RecordingObserver observer_;
};

TEST_F(StoreStatsTest, SequentialAppendsAreOneGroupCommitEachWithTheirFsync) {
  options_.fsync = FsyncPolicy::kAlways;
  OpenStore();
  MustCreate("events", 1);
  for (uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(100 + i, i), Fields(i + 1)).ok());
  }
  MutexLock lock(&observer_.mu);
  ASSERT_EQ(observer_.commits.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    const GroupCommitStats& c = observer_.commits[i];
    EXPECT_EQ(c.batches, 1u);
    EXPECT_EQ(c.records, i + 1);
    EXPECT_EQ(c.bytes, 100 + i);
    EXPECT_TRUE(c.synced);
    EXPECT_GT(c.sync_duration, absl::ZeroDuration());
    EXPECT_LE(c.sync_duration, c.write_duration);
  }
  EXPECT_TRUE(observer_.syncs.empty());  // no periodic sync under kAlways
}

TEST_F(StoreStatsTest, ConcurrentAppendsAreCountedOnceAcrossGroups) {
  options_.fsync = FsyncPolicy::kAlways;
  OpenStore();
  MustCreate("events", 2);
  constexpr int kAppends = 200;
  Mutex mu;
  int done = 0;
  uint64_t bytes = 0;
  for (int i = 0; i < kAppends; ++i) {
    std::string batch = MakeBatch(10 + i % 7, i);
    bytes += batch.size();
    store_->Append("events", i % 2, std::move(batch), Fields(3), [&](auto result) {
      EXPECT_TRUE(result.ok()) << result.status();
      MutexLock lock(&mu);
      ++done;
    });
  }
  ASSERT_TRUE(testing::WaitFor(mu, [&] { return done == kAppends; }));
  MutexLock lock(&observer_.mu);
  GroupCommitStats total;
  for (const GroupCommitStats& c : observer_.commits) {
    EXPECT_GE(c.batches, 1u);
    total.batches += c.batches;
    total.records += c.records;
    total.bytes += c.bytes;
  }
  EXPECT_EQ(total.batches, static_cast<uint64_t>(kAppends));
  EXPECT_EQ(total.records, 3u * kAppends);
  EXPECT_EQ(total.bytes, bytes);
  EXPECT_LE(observer_.commits.size(), static_cast<size_t>(kAppends));
}

TEST_F(StoreStatsTest, DuplicatesAndRejectedAppendsAreNotCounted) {
  OpenStore();
  MustCreate("events", 1);
  absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
  ASSERT_TRUE(producer.ok()) << producer.status();
  BatchFields fields = Fields(2);
  fields.producer_id = producer->producer_id;
  fields.producer_epoch = producer->epoch;
  ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(50, 1), fields).ok());
  absl::StatusOr<AppendResult> retry = store_->AppendAndWait("events", 0, MakeBatch(50, 1), fields);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  fields.base_sequence = 7;  // a gap: rejected
  EXPECT_FALSE(store_->AppendAndWait("events", 0, MakeBatch(50, 2), fields).ok());
  MutexLock lock(&observer_.mu);
  ASSERT_EQ(observer_.commits.size(), 1u);
  EXPECT_EQ(observer_.commits[0].bytes, 50u);
}

TEST_F(StoreStatsTest, IntervalPolicyReportsThePeriodicWalSync) {
  options_.fsync = FsyncPolicy::kInterval;
  options_.fsync_interval = absl::Milliseconds(5);
  OpenStore();
  MustCreate("events", 1);
  ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(100, 1), Fields(1)).ok());
  // WaitFor calls the predicate under the mutex; the annotation tells clang's analysis so.
  ASSERT_TRUE(testing::WaitFor(
      observer_.mu, [&]() CHOREO_REQUIRES(observer_.mu) { return !observer_.syncs.empty(); }));
  MutexLock lock(&observer_.mu);
  ASSERT_EQ(observer_.commits.size(), 1u);
  EXPECT_FALSE(observer_.commits[0].synced);
  EXPECT_EQ(observer_.commits[0].sync_duration, absl::ZeroDuration());
  EXPECT_GE(observer_.syncs[0], absl::ZeroDuration());
  EXPECT_EQ(observer_.failed_syncs, 0);
}

TEST_F(StoreStatsTest, NeverPolicyReportsNoFsync) {
  options_.fsync = FsyncPolicy::kNever;
  OpenStore();
  MustCreate("events", 1);
  ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(100, 1), Fields(1)).ok());
  MutexLock lock(&observer_.mu);
  ASSERT_EQ(observer_.commits.size(), 1u);
  EXPECT_FALSE(observer_.commits[0].synced);
  EXPECT_TRUE(observer_.syncs.empty());
}

TEST_F(StoreStatsTest, StoredBytesFollowAppendsAndRetention) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  ASSERT_TRUE(store_->CreateTopic("events", {.partitions = 2, .retention_ms = 1000}).ok());
  EXPECT_EQ(StoredBytes("events", 0), 0);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        store_->AppendAndWait("events", 0, MakeBatch(100, i), Fields(2, /*ts=*/1000 + i)).ok());
  }
  ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(30, 9), Fields(1, 9000)).ok());
  EXPECT_EQ(StoredBytes("events", 0), 430);
  EXPECT_EQ(StoredBytes("events", 1), 0);

  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/5000).value(), 400);  // the four old batches
  EXPECT_EQ(store_->GetOffsets("events", 0)->log_start_offset, 8);
  EXPECT_EQ(StoredBytes("events", 0), 30);

  // A partition added later starts empty, and known.
  ASSERT_TRUE(store_->AlterTopic("events", {.partitions = 3}).ok());
  EXPECT_EQ(StoredBytes("events", 2), 0);
  ASSERT_TRUE(store_->AppendAndWait("events", 2, MakeBatch(70, 1), Fields(1, 9000)).ok());
  EXPECT_EQ(StoredBytes("events", 2), 70);
}

TEST_F(StoreStatsTest, StoredBytesAfterRestart) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  ASSERT_TRUE(store_->CreateTopic("plain", {.partitions = 2}).ok());
  ASSERT_TRUE(store_->CreateTopic("sized", {.partitions = 1, .retention_bytes = 250}).ok());
  ASSERT_TRUE(store_->CreateTopic("expired", {.partitions = 1, .retention_ms = 10}).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->AppendAndWait("plain", 0, MakeBatch(100, i), Fields(1)).ok());
    ASSERT_TRUE(store_->AppendAndWait("sized", 0, MakeBatch(100, i), Fields(1)).ok());
    ASSERT_TRUE(store_->AppendAndWait("expired", 0, MakeBatch(100, i), Fields(1, 0)).ok());
  }
  ASSERT_EQ(store_->ApplyRetention(/*now_ms=*/1000).value(), 400);  // 100 sized, 300 expired
  CloseStore();

  OpenStore();
  // Known from the stored byte positions, without scanning: with no retention, and after a trim.
  EXPECT_EQ(StoredBytes("plain", 0), 300);
  EXPECT_EQ(StoredBytes("sized", 0), 200);
  // Empty partitions (never written, or trimmed to empty) are known to hold nothing.
  EXPECT_EQ(StoredBytes("plain", 1), 0);
  EXPECT_EQ(StoredBytes("expired", 0), 0);
  // Appends and retention go on from there.
  ASSERT_TRUE(store_->ApplyRetention(/*now_ms=*/1000).ok());
  EXPECT_EQ(StoredBytes("sized", 0), 200);
  ASSERT_TRUE(store_->AppendAndWait("sized", 0, MakeBatch(40, 1), Fields(1)).ok());
  EXPECT_EQ(StoredBytes("sized", 0), 240);
  ASSERT_TRUE(store_->AppendAndWait("expired", 0, MakeBatch(40, 1), Fields(1, 5000)).ok());
  EXPECT_EQ(StoredBytes("expired", 0), 40);
}

TEST_F(StoreStatsTest, DbStatsSeeMemtablesAndSstFiles) {
  OpenStore();
  MustCreate("events", 1);
  absl::StatusOr<DbStats> empty = store_->GetDbStats();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->live_sst_bytes, 0u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store_->AppendAndWait("events", 0, MakeBatch(4096, i), Fields(1)).ok());
  }
  absl::StatusOr<DbStats> before_flush = store_->GetDbStats();
  ASSERT_TRUE(before_flush.ok()) << before_flush.status();
  EXPECT_GE(before_flush->memtable_bytes, 20u * 4096);

  ASSERT_TRUE(store_->Flush().ok());
  absl::StatusOr<DbStats> flushed = store_->GetDbStats();
  ASSERT_TRUE(flushed.ok()) << flushed.status();
  EXPECT_GT(flushed->live_sst_bytes, 20u * 4096 / 2);  // incompressible bytes
  EXPECT_GE(flushed->total_sst_bytes, flushed->live_sst_bytes);
  EXPECT_LT(flushed->memtable_bytes, before_flush->memtable_bytes);
  EXPECT_GE(flushed->block_cache_bytes, 0u);

  CloseStore();
  options_.observer = nullptr;
  OpenStore();
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(StoreErrorKindOf(store_->GetDbStats().status()), StoreErrorKind::kClosed);
}

}  // namespace
}  // namespace choreo::storage
