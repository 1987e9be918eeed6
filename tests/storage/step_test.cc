// Exactly-once steps (LogStore::AppendStep): batches on several partitions and a group's offsets
// are applied together or not at all, also inside a group commit shared with other appends, and
// across restarts and crashes; retries are answered with the original offsets.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/step_test_util.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::AppendStepAndWait;
using testing::Fields;
using testing::StepTest;
using testing::WaitFor;

TEST_F(StepTest, BatchesAndOffsetsAreAppliedTogether) {
  absl::StatusOr<StepResult> step = Step({Out(0, 0, 2), Out(1, 0, 3)}, {In(0, 5), In(1, 7)});
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_FALSE(step->duplicate);
  ASSERT_EQ(step->batches.size(), 2u);
  EXPECT_EQ(step->batches[0].base_offset, 0);
  EXPECT_EQ(step->batches[1].base_offset, 0);
  EXPECT_FALSE(step->batches[0].duplicate);
  ExpectApplied({2, 3}, {5, 7});
  absl::StatusOr<ReadResult> read = store_->Read("out", 1, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->batches.size(), 1u);
  EXPECT_EQ(read->batches[0].data, Out(1, 0, 3).batch);

  CloseStore();
  OpenStore();
  ExpectApplied({2, 3}, {5, 7});
}

// The committer is held in a callback while an append, a step whose second batch breaks the
// sequence rules, and two more appends queue up, so all of them form one group commit.
TEST_F(StepTest, FailingBatchUndoesTheWholeStepButNotTheRestOfItsGroup) {
  Notification entered;
  Notification release;
  store_->Append("in", 1, "blocker", Fields(1), [&](absl::StatusOr<AppendResult>) {
    entered.Notify();
    release.WaitForNotification();  // test only: callbacks must not block in production
  });
  entered.WaitForNotification();

  Mutex mu;
  std::vector<absl::StatusOr<AppendResult>> appends(3, absl::UnknownError("pending"));
  absl::StatusOr<StepResult> step = absl::UnknownError("pending");
  int done = 0;
  auto append = [&](size_t i, std::string batch, BatchFields fields) {
    store_->Append("out", 0, std::move(batch), fields, [&, i](absl::StatusOr<AppendResult> r) {
      MutexLock lock(&mu);
      appends[i] = std::move(r);
      ++done;
    });
  };
  append(0, "before", Fields(1));
  store_->AppendStep(
      StepAppends{.batches = {Out(0, 0, 2), Out(1, 5, 1)}, .group = "svc", .offsets = {In(0, 9)}},
      [&](absl::StatusOr<StepResult> r) {
        MutexLock lock(&mu);
        step = std::move(r);
        ++done;
      });
  append(1, "after", Fields(1));
  // The step's first batch again, as an ordinary idempotent append: it is new, since the step
  // left no producer state behind.
  append(2, Out(0, 0, 2).batch, Out(0, 0, 2).fields);
  release.Notify();
  ASSERT_TRUE(WaitFor(mu, [&] { return done == 4; }));

  MutexLock lock(&mu);
  EXPECT_EQ(StoreErrorKindOf(step.status()), StoreErrorKind::kOutOfOrderSequence) << step.status();
  const std::vector<Offset> expected = {0, 1, 2};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(appends[i].ok()) << i << ": " << appends[i].status();
    EXPECT_EQ(appends[i]->base_offset, expected[i]) << i;
    EXPECT_FALSE(appends[i]->duplicate) << i;
  }
  ExpectApplied({4, 0}, {-1, -1});
  CloseStore();
  OpenStore();
  ExpectApplied({4, 0}, {-1, -1});
  absl::StatusOr<ReadResult> read = store_->Read("out", 0, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->batches.size(), 3u);
  EXPECT_EQ(read->batches[0].data, "before");
  EXPECT_EQ(read->batches[1].data, "after");
}

TEST_F(StepTest, RetryOfAnAppliedStepIsADuplicateWithTheOriginalOffsets) {
  ASSERT_TRUE(Step({Out(0, 0, 1)}, {}).ok());  // out/0 no longer starts at 0
  absl::StatusOr<StepResult> first = Step({Out(0, 1, 2), Out(1, 0, 3)}, {In(0, 5)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->batches[0].base_offset, 1);

  // Offsets differing in the retry show they are not written again.
  absl::StatusOr<StepResult> retry = Step({Out(0, 1, 2), Out(1, 0, 3)}, {In(0, 99)});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  ASSERT_EQ(retry->batches.size(), 2u);
  EXPECT_EQ(retry->batches[0].base_offset, 1);
  EXPECT_EQ(retry->batches[1].base_offset, 0);
  EXPECT_TRUE(retry->batches[0].duplicate);
  EXPECT_TRUE(retry->batches[1].duplicate);
  ExpectApplied({3, 3}, {5, -1});

  // Recognized after a restart as well (the producer state is durable with the step).
  CloseStore();
  OpenStore();
  retry = Step({Out(0, 1, 2), Out(1, 0, 3)}, {In(0, 99)});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  ExpectApplied({3, 3}, {5, -1});
}

TEST_F(StepTest, StepMixingRetriedAndNewBatchesIsRejected) {
  ASSERT_TRUE(Step({Out(0, 0, 2)}, {In(0, 5)}).ok());
  absl::StatusOr<StepResult> mixed = Step({Out(0, 0, 2), Out(1, 0, 1)}, {In(0, 6)});
  EXPECT_EQ(StoreErrorKindOf(mixed.status()), StoreErrorKind::kInvalidStep) << mixed.status();
  ExpectApplied({2, 0}, {5, -1});
  // The new batch left no state behind: on its own it is appended at the start.
  absl::StatusOr<StepResult> alone = Step({Out(1, 0, 1)}, {In(0, 6)});
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_FALSE(alone->duplicate);
  EXPECT_EQ(alone->batches[0].base_offset, 0);
  ExpectApplied({2, 1}, {6, -1});
}

TEST_F(StepTest, InvalidStepsAreRejectedAndWriteNothing) {
  auto kind = [&](std::vector<StepBatch> batches, std::vector<GroupOffset> offsets,
                  std::string group = "svc") {
    return StoreErrorKindOf(
        Step(std::move(batches), std::move(offsets), std::move(group)).status());
  };
  EXPECT_EQ(kind({}, {}), StoreErrorKind::kInvalidStep);
  StepBatch plain = Out(0, 0, 1);
  plain.fields.producer_id = -1;
  EXPECT_EQ(kind({Out(1, 0, 1), plain}, {In(0, 1)}), StoreErrorKind::kInvalidStep);
  StepBatch unknown = Out(0, 0, 1);
  unknown.topic = "nope";
  EXPECT_EQ(kind({unknown}, {}), StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(kind({Out(2, 0, 1)}, {}), StoreErrorKind::kInvalidPartition);
  StepBatch empty = Out(0, 0, 1);
  empty.fields.record_count = 0;
  EXPECT_EQ(kind({empty}, {}), StoreErrorKind::kInvalidBatch);
  EXPECT_EQ(kind({Out(0, 0, 1)}, {In(0, -1)}), StoreErrorKind::kOffsetOutOfRange);
  EXPECT_EQ(kind({Out(0, 0, 1)}, {In(2, 1)}), StoreErrorKind::kInvalidPartition);
  EXPECT_EQ(kind({Out(0, 0, 1)}, {In(0, 1)}, ""), StoreErrorKind::kInvalidGroupId);
  GroupOffset big = In(0, 1);
  big.metadata.assign(kMaxOffsetMetadataBytes + 1, 'x');
  EXPECT_EQ(kind({Out(0, 0, 1)}, {big}), StoreErrorKind::kOffsetMetadataTooLarge);
  ExpectApplied({0, 0}, {-1, -1});

  // Offsets alone (no batches) are a valid step.
  ASSERT_TRUE(Step({}, {In(1, 4)}).ok());
  ExpectApplied({0, 0}, {-1, 4});
}

TEST_F(StepTest, StepWhoseOffsetTopicIsDeletedWhileQueuedFails) {
  Notification entered;
  Notification release;
  store_->Append("out", 1, "blocker", Fields(1), [&](absl::StatusOr<AppendResult>) {
    entered.Notify();
    release.WaitForNotification();  // test only: callbacks must not block in production
  });
  entered.WaitForNotification();
  std::promise<absl::StatusOr<StepResult>> promise;
  store_->AppendStep(StepAppends{.batches = {Out(0, 0, 1)}, .group = "svc", .offsets = {In(0, 3)}},
                     [&](absl::StatusOr<StepResult> r) { promise.set_value(std::move(r)); });
  // Deletion runs between group commits; the committer is between two now.
  ASSERT_TRUE(store_->DeleteTopic("in").ok());
  release.Notify();
  absl::StatusOr<StepResult> step = promise.get_future().get();
  EXPECT_EQ(StoreErrorKindOf(step.status()), StoreErrorKind::kUnknownTopic) << step.status();
  EXPECT_EQ(HighWatermark("out", 0), 0);
  absl::StatusOr<std::vector<GroupOffset>> all = store_->FetchGroupOffsets("svc");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
}

// A crash right after the acknowledgement: a copy of the data directory taken while the store is
// still open (no clean close, no flush) recovers everything the step wrote from the WAL.
TEST_F(StepTest, AcknowledgedStepSurvivesACrash) {
  ASSERT_TRUE(Step({Out(0, 0, 2), Out(1, 0, 3)}, {In(0, 5), In(1, 7)}).ok());
  const std::string crash_image = dir_ + "/crash";
  std::filesystem::copy(options_.data_dir, crash_image, std::filesystem::copy_options::recursive);
  CloseStore();
  options_.data_dir = crash_image;
  OpenStore();
  ExpectApplied({2, 3}, {5, 7});
  absl::StatusOr<StepResult> retry = Step({Out(0, 0, 2), Out(1, 0, 3)}, {In(0, 5), In(1, 7)});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
}

}  // namespace
}  // namespace choreo::storage
