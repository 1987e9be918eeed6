// PartitionWindow: sequence numbering, resend rules and re-sequencing, without any I/O.
#include "client/producer/partition_window.h"

#include <gtest/gtest.h>

#include <vector>

namespace choreo::client_internal {
namespace {

using Kind = ProduceOutcome::Kind;

BatchPtr MakeBatch(uint32_t records) {
  auto batch = std::make_shared<ProducerBatch>();
  batch->record_count = records;
  return batch;
}

ProduceOutcome Outcome(Kind kind, int64_t base_offset = -1) {
  return ProduceOutcome{
      kind, kind == Kind::kAppended ? OkStatus() : Status(ErrorCode::kUnknown, "x"), base_offset};
}

class PartitionWindowTest : public ::testing::Test {
 protected:
  // Admits and sends batches of the given sizes.
  std::vector<BatchPtr> SendAll(std::vector<uint32_t> sizes) {
    std::vector<BatchPtr> out;
    for (uint32_t size : sizes) {
      BatchPtr batch = MakeBatch(size);
      EXPECT_TRUE(window_.HasRoom());
      window_.Admit(batch);
      window_.OnSent(*batch);
      out.push_back(batch);
    }
    return out;
  }
  WindowAction Answer(const BatchPtr& batch, Kind kind, int64_t offset = -1) {
    return window_.OnOutcome(*batch, Outcome(kind, offset), now_, now_);
  }

  PartitionWindow window_{/*idempotent=*/true, /*max_in_flight=*/5};
  ProducerClock::time_point now_ = ProducerClock::now();
};

TEST_F(PartitionWindowTest, NumbersBatchesConsecutivelyAndLimitsTheWindow) {
  std::vector<BatchPtr> batches = SendAll({3, 1, 4, 1, 5});
  EXPECT_EQ(batches[0]->base_sequence, 0);
  EXPECT_EQ(batches[1]->base_sequence, 3);
  EXPECT_EQ(batches[4]->base_sequence, 9);
  EXPECT_EQ(window_.next_sequence(), 14);
  EXPECT_FALSE(window_.HasRoom());
  // Out-of-order answers complete only from the front.
  EXPECT_EQ(Answer(batches[1], Kind::kAppended, 13), WindowAction::kNone);
  EXPECT_TRUE(window_.PopResolved().empty());
  EXPECT_EQ(Answer(batches[0], Kind::kAppended, 10), WindowAction::kNone);
  std::vector<BatchPtr> done = window_.PopResolved();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1]->base_offset, 13);
  EXPECT_TRUE(window_.HasRoom());
}

TEST_F(PartitionWindowTest, ResendsEverythingUnresolvedInOrderOnceQuiet) {
  std::vector<BatchPtr> batches = SendAll({1, 1, 1});
  EXPECT_EQ(Answer(batches[0], Kind::kRetriable), WindowAction::kNone);
  EXPECT_FALSE(window_.HasRoom());                 // nothing new while a resend is pending
  EXPECT_TRUE(window_.TakeResends(now_).empty());  // batches 1 and 2 are still outstanding
  // They find the gap batch 0 left: expected, not fatal.
  EXPECT_EQ(Answer(batches[1], Kind::kOutOfOrder), WindowAction::kNone);
  EXPECT_EQ(Answer(batches[2], Kind::kOutOfOrder), WindowAction::kNone);
  std::vector<BatchPtr> resends = window_.TakeResends(now_);
  ASSERT_EQ(resends.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(resends[i], batches[i]);
    EXPECT_EQ(resends[i]->base_sequence, i);  // same sequence: the same bytes
    window_.OnSent(*resends[i]);
  }
  for (const BatchPtr& batch : batches)
    Answer(batch, Kind::kAppended, 7);
  EXPECT_EQ(window_.PopResolved().size(), 3u);
}

TEST_F(PartitionWindowTest, TransportErrorsAskForAReconnect) {
  std::vector<BatchPtr> batches = SendAll({1, 1});
  EXPECT_EQ(Answer(batches[0], Kind::kTransport), WindowAction::kReconnect);
  EXPECT_EQ(Answer(batches[1], Kind::kTransport), WindowAction::kReconnect);
  EXPECT_EQ(window_.TakeResends(now_).size(), 2u);
}

TEST_F(PartitionWindowTest, OutOfOrderForTheOldestBatchIsFatal) {
  std::vector<BatchPtr> batches = SendAll({2, 2});
  EXPECT_EQ(Answer(batches[0], Kind::kAppended, 0), WindowAction::kNone);
  window_.PopResolved();
  // Batch 1 now is the oldest, sent in order after an acknowledged batch: the broker lost data.
  EXPECT_EQ(Answer(batches[1], Kind::kOutOfOrder), WindowAction::kFatal);
}

TEST_F(PartitionWindowTest, ADefinitiveFailureResequencesTheBatchesBehindIt) {
  std::vector<BatchPtr> batches = SendAll({2, 3, 4});
  EXPECT_EQ(Answer(batches[0], Kind::kAppended, 0), WindowAction::kNone);
  EXPECT_EQ(Answer(batches[1], Kind::kFailed), WindowAction::kNone);
  EXPECT_EQ(batches[2]->base_sequence, 2);  // 5 - 3
  EXPECT_EQ(window_.next_sequence(), 6);
  // Batch 2's answer concerns its old sequence 5: whatever it is, it only triggers a resend.
  EXPECT_EQ(Answer(batches[2], Kind::kOutOfOrder), WindowAction::kNone);
  std::vector<BatchPtr> done = window_.PopResolved();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_FALSE(done[1]->error.ok());
  std::vector<BatchPtr> resends = window_.TakeResends(now_);
  ASSERT_EQ(resends.size(), 1u);
  EXPECT_EQ(resends[0], batches[2]);
}

// Brings the window's next sequence to `next` with one resolved batch of that many records.
void AdvanceTo(PartitionWindow& window, int32_t next, ProducerClock::time_point now) {
  BatchPtr filler = MakeBatch(static_cast<uint32_t>(next));
  window.Admit(filler);
  window.OnSent(*filler);
  window.OnOutcome(*filler, Outcome(Kind::kAppended, 0), now, now);
  ASSERT_EQ(window.PopResolved().size(), 1u);
  ASSERT_EQ(window.next_sequence(), next);
}

TEST_F(PartitionWindowTest, SequencesWrapAfterIntMaxAsTheBrokerExpects) {
  constexpr int32_t kMax = 2147483647;
  AdvanceTo(window_, kMax - 1, now_);
  std::vector<BatchPtr> batches = SendAll({4, 2});
  EXPECT_EQ(batches[0]->base_sequence, kMax - 1);  // kMax-1, kMax, 0, 1
  EXPECT_EQ(batches[1]->base_sequence, 2);
  EXPECT_EQ(window_.next_sequence(), 4);
}

TEST_F(PartitionWindowTest, ResequencingAFailedBatchWorksBackAcrossTheWrap) {
  constexpr int32_t kMax = 2147483647;
  AdvanceTo(window_, kMax - 2, now_);
  std::vector<BatchPtr> batches = SendAll({5, 3});  // kMax-2 .. 1, then 2 .. 4
  EXPECT_EQ(batches[1]->base_sequence, 2);
  EXPECT_EQ(Answer(batches[0], Kind::kFailed), WindowAction::kNone);
  EXPECT_EQ(batches[1]->base_sequence, kMax - 2);  // kMax-2 .. kMax
  EXPECT_EQ(window_.next_sequence(), 0);
}

TEST_F(PartitionWindowTest, MetadataErrorsWaitForACheckAndAreBounded) {
  std::vector<BatchPtr> batches = SendAll({1});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Answer(batches[0], Kind::kMetadata), WindowAction::kRefreshMetadata);
    EXPECT_TRUE(window_.TakeResends(now_).empty());  // until the metadata was checked
    window_.awaiting_metadata = false;
    ASSERT_EQ(window_.TakeResends(now_).size(), 1u);
    window_.OnSent(*batches[0]);
  }
  EXPECT_EQ(Answer(batches[0], Kind::kMetadata), WindowAction::kNone);  // gives up
  EXPECT_FALSE(batches[0]->error.ok());
}

TEST(PartitionWindowNonIdempotentTest, DoesNotNumberBatches) {
  PartitionWindow window(/*idempotent=*/false, 2);
  BatchPtr a = MakeBatch(3);
  BatchPtr b = MakeBatch(3);
  window.Admit(a);
  window.Admit(b);
  EXPECT_EQ(a->base_sequence, 0);
  EXPECT_EQ(b->base_sequence, 0);
  EXPECT_FALSE(window.HasRoom());
}

}  // namespace
}  // namespace choreo::client_internal
