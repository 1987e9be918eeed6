// Write failures: a full disk fails the whole group cleanly and does not consume offsets.
#include <absl/cleanup/cleanup.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/full_disk_file_system.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::FullDiskFileSystem;

class FaultTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    fs_ = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.env = env_.get();
  }
  void TearDown() override {
    StoreTest::TearDown();  // closes the store before the env goes away
    env_.reset();
  }

  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(FaultTest, FullDiskFailsAppendsWithoutConsumingOffsets) {
  OpenStore();
  MustCreate("orders", 1);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store_->AppendAndWait("orders", 0, "ok", Fields(1)).ok());

  fs_->fail = true;
  absl::StatusOr<AppendResult> failed = store_->AppendAndWait("orders", 0, "lost", Fields(5));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted) << failed.status();
  EXPECT_EQ(StoreErrorKindOf(failed.status()), StoreErrorKind::kNoSpace);
  EXPECT_NE(failed.status().message().find("'orders' partition 0"), absl::string_view::npos);
  EXPECT_EQ(store_->GetOffsets("orders", 0)->high_watermark, 3);
  absl::StatusOr<ReadResult> read = store_->Read("orders", 0, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->batches.size(), 3u);

  // RocksDB may stay read-only after a failed WAL write; either way offsets must stay dense.
  fs_->fail = false;
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  if (after.ok()) {
    EXPECT_EQ(after->base_offset, 3);
  }
  store_->Close().IgnoreError();
  store_.reset();

  LogStore& store = OpenStore();
  Offset hw = store.GetOffsets("orders", 0)->high_watermark;
  EXPECT_EQ(hw, after.ok() ? 4 : 3);
  absl::StatusOr<AppendResult> next = store.AppendAndWait("orders", 0, "next", Fields(1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->base_offset, hw);
}

// Under kInterval the periodic WAL sync runs alongside group commits; a write that fails while a
// (slowed) sync is under way must fail cleanly, and everything acknowledged must stay readable.
TEST_F(FaultTest, WriteFailingDuringAnIntervalSyncFailsCleanly) {
  options_.fsync = FsyncPolicy::kInterval;
  options_.fsync_interval = absl::Milliseconds(1);
  fs_->syncs.SetDelay(std::chrono::microseconds(3000));
  for (int round = 0; round < 5; ++round) {
    fs_->fail = false;
    OpenStore();
    if (round == 0) MustCreate("orders", 1);
    const Offset start = store_->GetOffsets("orders", 0)->high_watermark;
    int acknowledged = 0;
    // Long enough that syncs start while appends keep going; then the disk fills mid-stream.
    for (int i = 0; i < 40; ++i) {
      if (i == 20) fs_->fail = true;
      absl::StatusOr<AppendResult> r = store_->AppendAndWait("orders", 0, "x", Fields(1));
      if (r.ok()) {
        ASSERT_EQ(r->base_offset, start + acknowledged);
        ++acknowledged;
      } else {
        EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kNoSpace) << r.status();
      }
    }
    EXPECT_GE(acknowledged, 20);
    fs_->fail = false;
    store_->Close().IgnoreError();
    store_.reset();
    LogStore& reopened = OpenStore();
    EXPECT_EQ(reopened.GetOffsets("orders", 0)->high_watermark, start + acknowledged);
    reopened.Close().IgnoreError();
    store_.reset();
  }
}

// The periodic sync holds no lock that appends need: with a WAL sync stuck in the kernel, appends
// are still acknowledged.
TEST_F(FaultTest, AppendsProceedWhileAnIntervalSyncIsStuck) {
  options_.fsync = FsyncPolicy::kInterval;
  options_.fsync_interval = absl::Milliseconds(1);
  OpenStore();
  MustCreate("orders", 1);
  fs_->syncs.Hold();
  // Released however the test ends: closing the store waits for the held sync.
  absl::Cleanup release = [this] { fs_->syncs.Release(); };
  ASSERT_TRUE(store_->AppendAndWait("orders", 0, "first", Fields(1)).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (fs_->syncs.started() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_GT(fs_->syncs.started(), 0) << "no periodic WAL sync began";
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<AppendResult> r = store_->AppendAndWait("orders", 0, "more", Fields(1));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->base_offset, 1 + i);
  }
}

TEST_F(FaultTest, FailedWriteLeavesTheByteCountUnchanged) {
  OpenStore();
  MustCreate("orders", 1);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store_->AppendAndWait("orders", 0, "ok", Fields(1)).ok());
  EXPECT_EQ(store_->GetOffsets("orders", 0)->stored_bytes, 6);

  fs_->fail = true;
  EXPECT_FALSE(store_->AppendAndWait("orders", 0, "lost bytes", Fields(1)).ok());
  EXPECT_EQ(store_->GetOffsets("orders", 0)->stored_bytes, 6);

  // The next group's end position does not include the failed batch (if RocksDB still writes;
  // the in-memory rollback is also pinned by group_builder_test.cc).
  fs_->fail = false;
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  const int64_t expected = after.ok() ? 11 : 6;
  EXPECT_EQ(store_->GetOffsets("orders", 0)->stored_bytes, expected);
  store_->Close().IgnoreError();
  store_.reset();

  LogStore& store = OpenStore();
  EXPECT_EQ(store.GetOffsets("orders", 0)->stored_bytes, expected);
  ASSERT_TRUE(store.AppendAndWait("orders", 0, "next", Fields(1)).ok());
  EXPECT_EQ(store.GetOffsets("orders", 0)->stored_bytes, expected + 4);
}

TEST_F(FaultTest, FailedWriteRollsBackProducerSequences) {
  OpenStore();
  MustCreate("orders", 1);
  absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto fields = [&](int32_t sequence) {
    return BatchFields{.record_count = 2,
                       .producer_id = producer->producer_id,
                       .producer_epoch = producer->epoch,
                       .base_sequence = sequence};
  };
  ASSERT_TRUE(store_->AppendAndWait("orders", 0, "first", fields(0)).ok());

  fs_->fail = true;
  absl::StatusOr<AppendResult> failed = store_->AppendAndWait("orders", 0, "lost", fields(2));
  EXPECT_EQ(StoreErrorKindOf(failed.status()), StoreErrorKind::kNoSpace) << failed.status();

  // The failed batch left no trace: its retry is appended (not a "duplicate" of nothing) at the
  // offsets it would have had, and a batch after it is a gap.
  fs_->fail = false;
  absl::StatusOr<AppendResult> retry = store_->AppendAndWait("orders", 0, "lost", fields(2));
  if (retry.ok()) {
    EXPECT_FALSE(retry->duplicate);
    EXPECT_EQ(retry->base_offset, 2);
  } else {
    // RocksDB stays read-only after a failed WAL write, so the in-memory rollback is pinned by
    // group_builder_test.cc; here the durable state is checked after the restart below.
    EXPECT_NE(StoreErrorKindOf(retry.status()), StoreErrorKind::kOutOfOrderSequence);
  }
  store_->Close().IgnoreError();
  store_.reset();

  LogStore& store = OpenStore();
  absl::StatusOr<AppendResult> again = store.AppendAndWait("orders", 0, "lost", fields(2));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->base_offset, 2);
  EXPECT_EQ(again->duplicate, retry.ok());
  EXPECT_EQ(StoreErrorKindOf(store.AppendAndWait("orders", 0, "gap", fields(6)).status()),
            StoreErrorKind::kOutOfOrderSequence);
}

}  // namespace
}  // namespace choreo::storage
