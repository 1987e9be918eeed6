// Exactly-once steps and write failures: a step in a group whose write fails is not applied at
// all, not after a restart either, and its retry is then appended as new.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/full_disk_file_system.h"
#include "tests/storage/step_test_util.h"

namespace choreo::storage {
namespace {

using testing::FullDiskFileSystem;

class StepFaultTest : public testing::StepTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    fs_ = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.env = env_.get();
    SetUpStore();
  }
  void TearDown() override {
    StoreTest::TearDown();  // closes the store before the env goes away
    env_.reset();
  }

  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(StepFaultTest, FailedWriteAppliesNothingOfTheStep) {
  ASSERT_TRUE(Step({Out(0, 0, 1)}, {In(0, 1)}).ok());

  fs_->fail = true;
  absl::StatusOr<StepResult> failed = Step({Out(0, 1, 2), Out(1, 0, 3)}, {In(0, 5), In(1, 7)});
  EXPECT_EQ(StoreErrorKindOf(failed.status()), StoreErrorKind::kNoSpace) << failed.status();
  EXPECT_NE(failed.status().message().find("group 'svc'"), absl::string_view::npos);
  ExpectApplied({1, 0}, {1, -1});

  // RocksDB may stay read-only after a failed WAL write; the restart shows what is durable.
  fs_->fail = false;
  store_->Close().IgnoreError();
  store_.reset();
  OpenStore();
  ExpectApplied({1, 0}, {1, -1});

  // Nothing of the failed step is remembered: its retry is new, at the offsets it would have had.
  absl::StatusOr<StepResult> retry = Step({Out(0, 1, 2), Out(1, 0, 3)}, {In(0, 5), In(1, 7)});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->duplicate);
  EXPECT_EQ(retry->batches[0].base_offset, 1);
  EXPECT_EQ(retry->batches[1].base_offset, 0);
  ExpectApplied({3, 3}, {5, 7});
}

}  // namespace
}  // namespace choreo::storage
