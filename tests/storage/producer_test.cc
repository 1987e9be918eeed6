// Idempotent producers through the LogStore API: id allocation and epochs, the sequence rules,
// several batches in flight in one group commit, and state surviving a restart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::MakeBatch;
using testing::WaitFor;

BatchFields Idempotent(const ProducerIdentity& producer, int32_t base_sequence, uint32_t records) {
  return BatchFields{.record_count = records,
                     .producer_id = producer.producer_id,
                     .producer_epoch = producer.epoch,
                     .base_sequence = base_sequence};
}

class ProducerTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    OpenStore();
    MustCreate("orders", 2);
    absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *producer;
  }

  absl::StatusOr<AppendResult> Send(int32_t sequence, uint32_t records, PartitionId partition = 0,
                                    const ProducerIdentity* producer = nullptr) {
    return store_->AppendAndWait("orders", partition, MakeBatch(16, sequence),
                                 Idempotent(producer ? *producer : producer_, sequence, records));
  }

  Offset HighWatermark(PartitionId partition = 0) {
    return store_->GetOffsets("orders", partition)->high_watermark;
  }

  ProducerIdentity producer_;
};

TEST_F(ProducerTest, InitProducerAllocatesAndBumpsDurably) {
  absl::StatusOr<ProducerIdentity> second = store_->InitProducer(-1, 0, false);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GT(second->producer_id, producer_.producer_id);
  EXPECT_EQ(second->epoch, 0);

  absl::StatusOr<ProducerIdentity> same = store_->InitProducer(producer_.producer_id, 0, false);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->epoch, 0);
  absl::StatusOr<ProducerIdentity> bumped = store_->InitProducer(producer_.producer_id, 0, true);
  ASSERT_TRUE(bumped.ok()) << bumped.status();
  EXPECT_EQ(bumped->producer_id, producer_.producer_id);
  EXPECT_EQ(bumped->epoch, 1);
  EXPECT_EQ(StoreErrorKindOf(store_->InitProducer(producer_.producer_id, 0, true).status()),
            StoreErrorKind::kProducerFenced);
  EXPECT_EQ(StoreErrorKindOf(store_->InitProducer(12345, 0, false).status()),
            StoreErrorKind::kUnknownProducerId);

  CloseStore();
  OpenStore();
  absl::StatusOr<ProducerIdentity> third = store_->InitProducer(-1, 0, false);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_GT(third->producer_id, second->producer_id);  // ids are never reused
  EXPECT_EQ(store_->InitProducer(producer_.producer_id, 1, false)->epoch, 1);
  EXPECT_EQ(StoreErrorKindOf(store_->InitProducer(producer_.producer_id, 0, false).status()),
            StoreErrorKind::kProducerFenced);
}

TEST_F(ProducerTest, InOrderBatchesAreAppended) {
  EXPECT_EQ(Send(0, 3)->base_offset, 0);
  EXPECT_EQ(Send(3, 2)->base_offset, 3);
  absl::StatusOr<AppendResult> third = Send(5, 1);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->base_offset, 5);
  EXPECT_FALSE(third->duplicate);
  // Sequences are per partition: partition 1 starts at 0 again.
  EXPECT_EQ(Send(0, 4, 1)->base_offset, 0);
  EXPECT_EQ(HighWatermark(), 6);
}

TEST_F(ProducerTest, DuplicatesGetTheirOriginalOffsetsAndAreNotAppended) {
  ASSERT_TRUE(Send(0, 3).ok());
  ASSERT_TRUE(Send(3, 2).ok());
  ASSERT_TRUE(Send(5, 4).ok());
  const Offset hw = HighWatermark();

  absl::StatusOr<AppendResult> last = Send(5, 4);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_TRUE(last->duplicate);
  EXPECT_EQ(last->base_offset, 5);
  absl::StatusOr<AppendResult> older = Send(0, 3);
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_TRUE(older->duplicate);
  EXPECT_EQ(older->base_offset, 0);

  EXPECT_EQ(HighWatermark(), hw);
  absl::StatusOr<ReadResult> read = store_->Read("orders", 0, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->batches.size(), 3u);
  // The producer goes on where it was.
  EXPECT_EQ(Send(9, 1)->base_offset, 9);
}

TEST_F(ProducerTest, RetryOlderThanTheWindowIsDuplicateSequence) {
  for (int32_t seq = 0; seq < 6; ++seq)
    ASSERT_TRUE(Send(seq, 1).ok());
  // Batches 1..5 are in the window; batch 0 has left it.
  EXPECT_TRUE(Send(1, 1)->duplicate);
  absl::StatusOr<AppendResult> old = Send(0, 1);
  EXPECT_EQ(StoreErrorKindOf(old.status()), StoreErrorKind::kDuplicateSequence) << old.status();
  // Same base sequence as a window entry but a different record count is not that batch.
  EXPECT_EQ(StoreErrorKindOf(Send(3, 2).status()), StoreErrorKind::kDuplicateSequence);
  EXPECT_EQ(HighWatermark(), 6);
}

TEST_F(ProducerTest, GapsAndBadFirstSequencesAreOutOfOrder) {
  absl::StatusOr<AppendResult> first = Send(1, 1);
  EXPECT_EQ(StoreErrorKindOf(first.status()), StoreErrorKind::kOutOfOrderSequence)
      << first.status();
  EXPECT_NE(first.status().message().find("'orders' partition 0"), absl::string_view::npos);
  ASSERT_TRUE(Send(0, 2).ok());
  EXPECT_EQ(StoreErrorKindOf(Send(3, 1).status()), StoreErrorKind::kOutOfOrderSequence);
  EXPECT_EQ(StoreErrorKindOf(Send(-1, 1).status()), StoreErrorKind::kInvalidBatch);
  // Sequences wrap, so INT32_MAX is behind the next sequence 2 (modulo 2^31): not a new batch.
  EXPECT_EQ(StoreErrorKindOf(Send(2147483647, 2).status()), StoreErrorKind::kDuplicateSequence);
  EXPECT_EQ(Send(2, 1)->base_offset, 2);  // rejected batches consumed nothing
}

TEST_F(ProducerTest, BumpedEpochFencesTheOldOneInEveryPartition) {
  ASSERT_TRUE(Send(0, 2, 0).ok());
  ASSERT_TRUE(Send(0, 2, 1).ok());
  absl::StatusOr<ProducerIdentity> bumped =
      store_->InitProducer(producer_.producer_id, producer_.epoch, true);
  ASSERT_TRUE(bumped.ok()) << bumped.status();

  for (PartitionId p : {0u, 1u}) {
    absl::StatusOr<AppendResult> zombie = Send(2, 1, p);
    EXPECT_EQ(StoreErrorKindOf(zombie.status()), StoreErrorKind::kProducerFenced) << p;
    EXPECT_EQ(zombie.status().code(), absl::StatusCode::kAborted);
  }
  // The new epoch starts over at sequence 0 in each partition.
  EXPECT_EQ(StoreErrorKindOf(Send(2, 1, 0, &*bumped).status()),
            StoreErrorKind::kOutOfOrderSequence);
  absl::StatusOr<AppendResult> fresh = Send(0, 1, 0, &*bumped);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->base_offset, 2);
  EXPECT_FALSE(fresh->duplicate);
  // An epoch that was never handed out is not accepted either.
  ProducerIdentity future{.producer_id = producer_.producer_id, .epoch = 7};
  EXPECT_EQ(StoreErrorKindOf(Send(1, 1, 0, &future).status()), StoreErrorKind::kProducerFenced);
}

TEST_F(ProducerTest, UnknownProducerIdIsRejected) {
  ProducerIdentity stranger{.producer_id = producer_.producer_id + 100, .epoch = 0};
  absl::StatusOr<AppendResult> r = Send(0, 1, 0, &stranger);
  EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kUnknownProducerId) << r.status();
  EXPECT_EQ(HighWatermark(), 0);
}

TEST_F(ProducerTest, NonIdempotentAppendsAreUnaffected) {
  ASSERT_TRUE(Send(0, 1).ok());
  absl::StatusOr<AppendResult> plain =
      store_->AppendAndWait("orders", 0, "plain", testing::Fields(2));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->base_offset, 1);
  EXPECT_EQ(Send(1, 1)->base_offset, 3);
}

// Holds the committer in an append callback while more appends queue up, so that they are all
// committed as one group: in-flight batches of one producer, a retry of one of them, a gap.
TEST_F(ProducerTest, SeveralBatchesInFlightInOneGroupCommit) {
  Notification entered;
  Notification release;
  Mutex mu;
  std::vector<absl::StatusOr<AppendResult>> results(8, absl::UnknownError("pending"));
  int done = 0;
  store_->Append("orders", 1, "blocker", testing::Fields(1), [&](absl::StatusOr<AppendResult>) {
    entered.Notify();
    release.WaitForNotification();  // test only: callbacks must not block in production
  });
  entered.WaitForNotification();
  auto send = [&](size_t i, int32_t sequence, uint32_t records) {
    store_->Append("orders", 0, MakeBatch(8, i), Idempotent(producer_, sequence, records),
                   [&, i](absl::StatusOr<AppendResult> r) {
                     MutexLock lock(&mu);
                     results[i] = std::move(r);
                     ++done;
                   });
  };
  send(0, 0, 2);  // offsets 0-1
  send(1, 2, 3);  // 2-4
  send(2, 2, 3);  // retry of the previous one, same group
  send(3, 5, 1);  // 5
  send(4, 9, 1);  // gap
  send(5, 6, 2);  // 6-7
  send(6, 0, 2);  // retry of the first
  send(7, 8, 1);  // 8
  release.Notify();
  ASSERT_TRUE(WaitFor(mu, [&] { return done == 8; }));

  MutexLock lock(&mu);
  const std::vector<Offset> expected = {0, 2, 2, 5, -1, 6, 0, 8};
  const std::vector<bool> duplicate = {false, false, true, false, false, false, true, false};
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] < 0) {
      EXPECT_EQ(StoreErrorKindOf(results[i].status()), StoreErrorKind::kOutOfOrderSequence);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
    EXPECT_EQ(results[i]->base_offset, expected[i]) << i;
    EXPECT_EQ(results[i]->duplicate, duplicate[i]) << i;
  }
  EXPECT_EQ(HighWatermark(), 9);
}

TEST_F(ProducerTest, StateSurvivesRestart) {
  ASSERT_TRUE(Send(0, 3).ok());
  ASSERT_TRUE(Send(3, 3).ok());
  ASSERT_TRUE(Send(0, 1, 1).ok());
  CloseStore();
  OpenStore();

  absl::StatusOr<AppendResult> retry = Send(3, 3);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->base_offset, 3);
  EXPECT_EQ(StoreErrorKindOf(Send(7, 1).status()), StoreErrorKind::kOutOfOrderSequence);
  EXPECT_EQ(Send(6, 1)->base_offset, 6);
  EXPECT_EQ(Send(1, 1, 1)->base_offset, 1);

  // A bump survives a restart too, and fences the old epoch afterwards.
  ASSERT_TRUE(store_->InitProducer(producer_.producer_id, producer_.epoch, true).ok());
  CloseStore();
  OpenStore();
  EXPECT_EQ(StoreErrorKindOf(Send(7, 1).status()), StoreErrorKind::kProducerFenced);
}

TEST_F(ProducerTest, DeletingATopicForgetsItsProducerState) {
  ASSERT_TRUE(Send(0, 3).ok());
  ASSERT_TRUE(store_->DeleteTopic("orders").ok());
  MustCreate("orders", 1);
  // A recreated topic is a new topic: the producer starts at sequence 0 again.
  EXPECT_EQ(StoreErrorKindOf(Send(3, 1).status()), StoreErrorKind::kOutOfOrderSequence);
  EXPECT_EQ(Send(0, 1)->base_offset, 0);
  CloseStore();
  OpenStore();
  EXPECT_EQ(Send(1, 1)->base_offset, 1);
}

}  // namespace
}  // namespace choreo::storage
