// Full disks and I/O errors: appends fail with a clear kind, reads keep working, the store says
// it refuses writes and why, and takes writes again by itself once the fault is gone.
#include <absl/strings/match.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/full_disk_file_system.h"
#include "tests/storage/power_cut_file_system.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::FullDiskFileSystem;
using testing::PowerCutFileSystem;

// Polls `done` every millisecond until it holds or 30 s passed.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class WriteRecoveryTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // Faults are injected above a file system that knows what a power cut would keep.
    power_ = std::make_shared<PowerCutFileSystem>(rocksdb::FileSystem::Default());
    fs_ = std::make_shared<FullDiskFileSystem>(power_);
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.env = env_.get();
    options_.write_recovery_interval = absl::Milliseconds(10);
  }
  void TearDown() override {
    StoreTest::TearDown();
    env_.reset();
  }

  void AppendOk(int n) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<AppendResult> r = store_->AppendAndWait("orders", 0, "ok", Fields(1));
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // The batches stored in orders/0.
  size_t Stored() {
    absl::StatusOr<ReadResult> read = store_->Read("orders", 0, 0, 1 << 20);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? read->batches.size() : 0;
  }

  // Waits until the store tried (and failed) to recover at least twice more: its retried flush
  // met the injected fault again.
  void WaitForFailedAttempts() {
    const int before = fs_->injected.load();
    ASSERT_TRUE(Eventually([&] { return fs_->injected.load() >= before + 2; }))
        << "the store does not retry";
  }

  std::shared_ptr<PowerCutFileSystem> power_;
  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

// A failed WAL write poisons RocksDB's WAL writer (the next write to it would abort the process:
// write_health.cc), so the store refuses writes until it is reopened, and says so; reads keep
// working and nothing acknowledged is lost.
TEST_F(WriteRecoveryTest, FullDiskOnTheWalRefusesWritesUntilReopened) {
  OpenStore();
  MustCreate("orders", 1);
  AppendOk(3);
  EXPECT_FALSE(store_->GetWriteHealth().refusing);

  fs_->fail = true;
  absl::StatusOr<AppendResult> failed = store_->AppendAndWait("orders", 0, "lost", Fields(1));
  EXPECT_EQ(StoreErrorKindOf(failed.status()), StoreErrorKind::kNoSpace) << failed.status();
  WriteHealth health = store_->GetWriteHealth();
  EXPECT_TRUE(health.refusing);
  EXPECT_TRUE(health.no_space);
  EXPECT_FALSE(health.recoverable);
  EXPECT_GE(health.write_errors, 1u);
  EXPECT_TRUE(absl::StrContains(health.reason, "WAL write failed")) << health.reason;
  EXPECT_TRUE(absl::StrContains(health.reason, "disk full")) << health.reason;
  EXPECT_EQ(Stored(), 3u);

  // Space is back, but nothing resumes the poisoned writer: appends keep failing cleanly (the
  // process must not abort), reads keep working.
  fs_->fail = false;
  EXPECT_EQ(StoreErrorKindOf(store_->AppendAndWait("orders", 0, "lost", Fields(1)).status()),
            StoreErrorKind::kNoSpace);
  EXPECT_TRUE(store_->GetWriteHealth().refusing);
  EXPECT_EQ(Stored(), 3u);
  store_->Close().IgnoreError();
  store_.reset();

  OpenStore();
  EXPECT_FALSE(store_->GetWriteHealth().refusing);
  EXPECT_EQ(store_->GetOffsets("orders", 0)->high_watermark, 3);
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->base_offset, 3);
  EXPECT_EQ(Stored(), 4u);
}

TEST_F(WriteRecoveryTest, FailedFlushRefusesWritesUntilSpaceComesBack) {
  OpenStore();
  MustCreate("orders", 1);
  AppendOk(3);

  fs_->fail_tables = true;
  absl::Status flushed = store_->Flush();
  EXPECT_FALSE(flushed.ok());
  WriteHealth health = store_->GetWriteHealth();
  EXPECT_TRUE(health.refusing);
  EXPECT_TRUE(health.no_space);
  EXPECT_TRUE(absl::StrContains(health.reason, "flush")) << health.reason;
  // RocksDB stops writes after a failed flush; reads of what is stored keep working.
  EXPECT_EQ(StoreErrorKindOf(store_->AppendAndWait("orders", 0, "lost", Fields(1)).status()),
            StoreErrorKind::kNoSpace);
  EXPECT_EQ(Stored(), 3u);
  WaitForFailedAttempts();
  EXPECT_TRUE(store_->GetWriteHealth().refusing);

  fs_->fail_tables = false;
  ASSERT_TRUE(Eventually([&] { return !store_->GetWriteHealth().refusing; }))
      << store_->GetWriteHealth().reason;
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->base_offset, 3);
  EXPECT_TRUE(store_->Flush().ok());
  CloseStore();
  OpenStore();
  EXPECT_EQ(Stored(), 4u);
}

// After a failed WAL fsync the kernel may have dropped the WAL's dirty pages: what was acknowledged
// since the last good sync is durable again only once recovery rewrote it from memory. The power
// cut after recovery shows it is.
TEST_F(WriteRecoveryTest, FailedIntervalSyncIsRecoveredAndLosesNothingAcknowledged) {
  options_.fsync = FsyncPolicy::kInterval;
  options_.fsync_interval = absl::Milliseconds(5);
  OpenStore();
  MustCreate("orders", 1);
  AppendOk(3);

  fs_->fail_syncs = true;
  // Acknowledged (the write itself works), but its periodic sync fails.
  absl::StatusOr<AppendResult> unsynced = store_->AppendAndWait("orders", 0, "unsynced", Fields(1));
  ASSERT_TRUE(unsynced.ok()) << unsynced.status();
  ASSERT_TRUE(Eventually([&] { return store_->GetWriteHealth().refusing; }));
  EXPECT_TRUE(absl::StrContains(store_->GetWriteHealth().reason, "periodic WAL sync"))
      << store_->GetWriteHealth().reason;
  // Sticky: appends fail, with the sync's error kind, until recovery.
  EXPECT_EQ(StoreErrorKindOf(store_->AppendAndWait("orders", 0, "refused", Fields(1)).status()),
            StoreErrorKind::kNoSpace);

  fs_->fail_syncs = false;
  ASSERT_TRUE(Eventually([&] { return !store_->GetWriteHealth().refusing; }))
      << store_->GetWriteHealth().reason;
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->base_offset, 4);

  // Cut right away (the next periodic sync may not have run): batch 3, acknowledged before the
  // failed sync, must be durable through the recovery's flush.
  const std::string image = dir_ + "/image";
  ASSERT_TRUE(power_->CutPower(options_.data_dir, image).ok());
  CloseStore();
  StoreOptions reopened = options_;
  reopened.data_dir = image;
  reopened.env = nullptr;
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(reopened);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<ReadResult> read = (*store)->Read("orders", 0, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_GE(read->batches.size(), 4u);
  EXPECT_EQ(read->batches[3].data, "unsynced");
}

// EIO on the WAL: the same as a full one (a reopen clears it), reported as an I/O error.
TEST_F(WriteRecoveryTest, IoErrorOnTheWalNeedsAReopen) {
  OpenStore();
  MustCreate("orders", 1);
  AppendOk(3);

  fs_->error = FullDiskFileSystem::Error::kIoError;
  fs_->fail = true;
  absl::StatusOr<AppendResult> failed = store_->AppendAndWait("orders", 0, "lost", Fields(1));
  EXPECT_EQ(StoreErrorKindOf(failed.status()), StoreErrorKind::kIoError) << failed.status();
  fs_->fail = false;
  WriteHealth health = store_->GetWriteHealth();
  EXPECT_TRUE(health.refusing);
  EXPECT_FALSE(health.no_space);
  EXPECT_FALSE(health.recoverable);
  EXPECT_EQ(Stored(), 3u);
  store_->Close().IgnoreError();
  store_.reset();
  OpenStore();
  EXPECT_FALSE(store_->GetWriteHealth().refusing);
  absl::StatusOr<AppendResult> after = store_->AppendAndWait("orders", 0, "after", Fields(1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->base_offset, 3);
}

}  // namespace
}  // namespace choreo::storage
