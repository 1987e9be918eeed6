// Long-running idempotent producers through the LogStore API: sequences that wrap past INT32_MAX
// (stored state included), and producer-id expiry after an idle time (StoreOptions::
// producer_id_expiration_ms) with an injected wall clock, in memory, on disk and across restarts.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/meta_format.h"
#include "storage/producer_format.h"
#include "tests/storage/raw_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::MakeBatch;

constexpr int32_t kMax = 2147483647;
constexpr int64_t kExpirationMs = 60'000;
constexpr int64_t kStartMs = 1'700'000'000'000;

class ProducerExpiryTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.producer_id_expiration_ms = kExpirationMs;
    options_.wall_clock_ms = [this] { return now_ms_.load(); };
    OpenStore();
    MustCreate("orders", 2);
    producer_ = NewProducer();
  }

  ProducerIdentity NewProducer() {
    absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? *producer : ProducerIdentity{};
  }

  absl::StatusOr<AppendResult> Send(int32_t sequence, uint32_t records, PartitionId partition = 0,
                                    const ProducerIdentity* producer = nullptr) {
    const ProducerIdentity& p = producer != nullptr ? *producer : producer_;
    return store_->AppendAndWait("orders", partition, MakeBatch(16, sequence),
                                 BatchFields{.record_count = records,
                                             .producer_id = p.producer_id,
                                             .producer_epoch = p.epoch,
                                             .base_sequence = sequence});
  }

  uint64_t LiveProducers() { return store_->GetDbStats()->producer_ids; }

  std::atomic<int64_t> now_ms_{kStartMs};
  ProducerIdentity producer_;
};

TEST_F(ProducerExpiryTest, StoredSequencesWrapPastIntMax) {
  ASSERT_TRUE(Send(0, 1).ok());
  TopicInfo topic = *store_->GetTopic("orders");
  CloseStore();
  {
    // As if the producer had appended 2^31-2 records to partition 0 by now.
    testing::RawDb raw(options_.data_dir);
    ProducerPartitionState state{
        .epoch = producer_.epoch,
        .last_sequence = kMax - 2,
        .window = {{.base_sequence = kMax - 2, .record_count = 1, .base_offset = 0}},
        .last_append_ms = kStartMs};
    raw.Put(raw.producers(),
            EncodeProducerStateKey(
                {.topic_id = topic.id, .partition = 0, .producer_id = producer_.producer_id}),
            EncodeProducerState(state));
  }
  OpenStore();
  // kMax-1, kMax, 0, 1: straddles the wrap.
  absl::StatusOr<AppendResult> straddling = Send(kMax - 1, 4);
  ASSERT_TRUE(straddling.ok()) << straddling.status();
  EXPECT_EQ(straddling->base_offset, 1);
  absl::StatusOr<AppendResult> retry = Send(kMax - 1, 4);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->base_offset, 1);
  EXPECT_EQ(Send(2, 2)->base_offset, 5);
  // Behind the next sequence across the wrap, and ahead of it.
  EXPECT_EQ(StoreErrorKindOf(Send(kMax, 1).status()), StoreErrorKind::kDuplicateSequence);
  EXPECT_EQ(StoreErrorKindOf(Send(5, 1).status()), StoreErrorKind::kOutOfOrderSequence);
  CloseStore();
  OpenStore();
  absl::StatusOr<AppendResult> after_restart = Send(kMax - 1, 4);
  ASSERT_TRUE(after_restart.ok()) << after_restart.status();
  EXPECT_TRUE(after_restart->duplicate);
  EXPECT_EQ(Send(4, 1)->base_offset, 7);
}

TEST_F(ProducerExpiryTest, AnIdleProducerExpiresAndGetsAClearError) {
  ASSERT_TRUE(Send(0, 3).ok());
  ASSERT_TRUE(Send(0, 1, 1).ok());
  now_ms_ += kExpirationMs;  // idle for exactly the expiration time: not expired yet
  EXPECT_EQ(store_->ExpireProducers(now_ms_).value(), 0u);
  ASSERT_TRUE(Send(3, 1).ok());
  now_ms_ += kExpirationMs + 1;
  ProducerIdentity newer = NewProducer();
  EXPECT_EQ(LiveProducers(), 2u);
  EXPECT_EQ(store_->ExpireProducers(now_ms_).value(), 1u);
  EXPECT_EQ(LiveProducers(), 1u);

  absl::Status appended = Send(4, 1).status();
  EXPECT_EQ(StoreErrorKindOf(appended), StoreErrorKind::kUnknownProducerId);
  EXPECT_NE(appended.message().find("expired"), std::string_view::npos) << appended;
  absl::Status init = store_->InitProducer(producer_.producer_id, producer_.epoch, false).status();
  EXPECT_EQ(StoreErrorKindOf(init), StoreErrorKind::kUnknownProducerId);
  EXPECT_NE(init.message().find("expired"), std::string_view::npos) << init;
  // An id that was never handed out is unknown, not expired.
  absl::Status never = store_->InitProducer(1000, 0, false).status();
  EXPECT_NE(never.message().find("never allocated"), std::string_view::npos) << never;
  // The producer that was initialized within the expiration time is kept.
  EXPECT_EQ(Send(0, 1, 0, &newer)->base_offset, 4);

  // Gone from disk too: its epoch key and its state in both partitions.
  TopicInfo topic = *store_->GetTopic("orders");
  CloseStore();
  testing::RawDb raw(options_.data_dir);
  EXPECT_FALSE(raw.Has(raw.meta(), ProducerEpochMetaKey(producer_.producer_id)));
  for (PartitionId partition : {0u, 1u}) {
    EXPECT_FALSE(raw.Has(
        raw.producers(),
        EncodeProducerStateKey(
            {.topic_id = topic.id, .partition = partition, .producer_id = producer_.producer_id})));
  }
  EXPECT_EQ(raw.CountKeys(raw.producers()), 1);
}

TEST_F(ProducerExpiryTest, AppendingToAnyPartitionKeepsTheProducerInAll) {
  ASSERT_TRUE(Send(0, 2, 1).ok());
  now_ms_ += kExpirationMs / 2;
  ASSERT_TRUE(Send(0, 1, 0).ok());
  now_ms_ += kExpirationMs / 2 + 1;  // partition 1 idle past the expiration, the producer not
  EXPECT_EQ(store_->ExpireProducers(now_ms_).value(), 0u);
  // Its sequence state in partition 1 is intact: a retry is a duplicate, the next one in order.
  EXPECT_TRUE(Send(0, 2, 1)->duplicate);
  EXPECT_EQ(Send(2, 1, 1)->base_offset, 2);
}

TEST_F(ProducerExpiryTest, TheLastAppendTimeSurvivesARestart) {
  ASSERT_TRUE(Send(0, 1).ok());
  now_ms_ += kExpirationMs - 10;
  ASSERT_TRUE(Send(1, 1).ok());
  const int64_t last_append = now_ms_;
  CloseStore();
  now_ms_ += 20;  // allocated longer ago than the expiration, but appended since
  OpenStore();
  EXPECT_EQ(LiveProducers(), 1u);
  EXPECT_EQ(store_->ExpireProducers(last_append + kExpirationMs).value(), 0u);
  EXPECT_EQ(store_->ExpireProducers(last_append + kExpirationMs + 1).value(), 1u);
}

TEST_F(ProducerExpiryTest, OpenForgetsProducersThatExpiredWhileTheBrokerWasDown) {
  ASSERT_TRUE(Send(0, 1).ok());
  CloseStore();
  now_ms_ += kExpirationMs + 1;
  OpenStore();
  EXPECT_EQ(LiveProducers(), 0u);
  EXPECT_EQ(StoreErrorKindOf(Send(1, 1).status()), StoreErrorKind::kUnknownProducerId);
  // A new producer gets a new id: expired ids are never reused.
  ProducerIdentity newer = NewProducer();
  EXPECT_GT(newer.producer_id, producer_.producer_id);
}

TEST_F(ProducerExpiryTest, AProducerThatNeverAppendedExpiresFromItsAllocation) {
  ProducerIdentity idle = NewProducer();
  CloseStore();
  OpenStore();
  now_ms_ += kExpirationMs + 1;
  ASSERT_TRUE(Send(0, 1).ok());  // producer_ stays active
  EXPECT_EQ(store_->ExpireProducers(now_ms_).value(), 1u);
  EXPECT_EQ(StoreErrorKindOf(store_->InitProducer(idle.producer_id, 0, true).status()),
            StoreErrorKind::kUnknownProducerId);
  EXPECT_EQ(LiveProducers(), 1u);
}

TEST_F(ProducerExpiryTest, StateWrittenBeforeActivityTimesCountsFromTheFirstStart) {
  ASSERT_TRUE(Send(0, 1).ok());
  TopicInfo topic = *store_->GetTopic("orders");
  CloseStore();
  {
    // Rewrite both values as an older version wrote them: without their times.
    testing::RawDb raw(options_.data_dir);
    raw.Put(raw.meta(), ProducerEpochMetaKey(producer_.producer_id),
            EncodeProducerEpoch({.epoch = producer_.epoch}).substr(0, 5));
    const std::string key = EncodeProducerStateKey(
        {.topic_id = topic.id, .partition = 0, .producer_id = producer_.producer_id});
    std::string state = raw.Get(raw.producers(), key);
    raw.Put(raw.producers(), key, state.substr(0, state.size() - 8));
  }
  now_ms_ += 10 * kExpirationMs;
  OpenStore();
  EXPECT_EQ(LiveProducers(), 1u);  // idle from this start on, not from the epoch of time
  EXPECT_EQ(store_->ExpireProducers(now_ms_ + kExpirationMs).value(), 0u);
  EXPECT_EQ(Send(1, 1)->base_offset, 1);
}

TEST_F(ProducerExpiryTest, ExpirationMustBePositive) {
  CloseStore();
  options_.producer_id_expiration_ms = 0;
  EXPECT_EQ(LogStore::Open(options_).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::storage
