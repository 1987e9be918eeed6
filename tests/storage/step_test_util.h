// Helpers for the exactly-once step tests (step_test.cc, step_fault_test.cc): a store with an
// input topic "in" whose offsets group "svc" commits, an output topic "out", both with two
// partitions, and one idempotent producer.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "choreo/storage/log_store.h"
#include "tests/storage/test_util.h"

namespace choreo::storage::testing {

// Blocking wrapper around LogStore::AppendStep (never call it from a store callback).
inline absl::StatusOr<StepResult> AppendStepAndWait(LogStore& store, StepAppends step) {
  std::promise<absl::StatusOr<StepResult>> promise;
  std::future<absl::StatusOr<StepResult>> future = promise.get_future();
  store.AppendStep(std::move(step),
                   [&promise](absl::StatusOr<StepResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

class StepTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    SetUpStore();
  }

  // Opens the store, creates the topics and the producer.
  void SetUpStore() {
    OpenStore();
    MustCreate("in", 2);
    MustCreate("out", 2);
    absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *producer;
  }

  // A batch of the producer for "out"; its bytes depend only on (partition, sequence).
  StepBatch Out(PartitionId partition, int32_t sequence, uint32_t records) const {
    return StepBatch{.topic = "out",
                     .partition = partition,
                     .batch = MakeBatch(24, 1000 * partition + sequence),
                     .fields = {.record_count = records,
                                .producer_id = producer_.producer_id,
                                .producer_epoch = producer_.epoch,
                                .base_sequence = sequence}};
  }

  static GroupOffset In(PartitionId partition, Offset offset) {
    return GroupOffset{.topic = "in", .partition = partition, .offset = offset, .metadata = "m"};
  }

  absl::StatusOr<StepResult> Step(std::vector<StepBatch> batches, std::vector<GroupOffset> offsets,
                                  std::string group = "svc") {
    return AppendStepAndWait(*store_, StepAppends{.batches = std::move(batches),
                                                  .group = std::move(group),
                                                  .offsets = std::move(offsets)});
  }

  Offset HighWatermark(const std::string& topic, PartitionId partition) {
    absl::StatusOr<PartitionOffsets> offsets = store_->GetOffsets(topic, partition);
    EXPECT_TRUE(offsets.ok()) << offsets.status();
    return offsets.ok() ? offsets->high_watermark : -2;
  }

  // Group "svc"'s committed offset of "in" partition `partition`, or -1.
  Offset Committed(PartitionId partition) {
    absl::StatusOr<std::vector<GroupOffset>> offsets =
        store_->FetchGroupOffsets("svc", {TopicPartition{"in", partition}});
    EXPECT_TRUE(offsets.ok()) << offsets.status();
    return offsets.ok() ? offsets->at(0).offset : -2;
  }

  // The high watermarks of "out" 0 and 1 and the committed offsets of "in" 0 and 1 are exactly
  // these: a step is never seen half-applied.
  void ExpectApplied(std::vector<Offset> out_high_watermarks, std::vector<Offset> committed) {
    EXPECT_EQ(HighWatermark("out", 0), out_high_watermarks[0]);
    EXPECT_EQ(HighWatermark("out", 1), out_high_watermarks[1]);
    EXPECT_EQ(Committed(0), committed[0]);
    EXPECT_EQ(Committed(1), committed[1]);
  }

  ProducerIdentity producer_;
};

}  // namespace choreo::storage::testing
