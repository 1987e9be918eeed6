// Topic lifecycle: create, validate, list, delete, recreate, persistence.
#include <gtest/gtest.h>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;

class TopicTest : public testing::StoreTest {};

TEST_F(TopicTest, CreateGetAndList) {
  LogStore& store = OpenStore();
  absl::StatusOr<TopicInfo> orders =
      store.CreateTopic("orders", {.partitions = 3, .retention_ms = 1000});
  ASSERT_TRUE(orders.ok()) << orders.status();
  EXPECT_EQ(orders->name, "orders");
  EXPECT_EQ(orders->config.partitions, 3u);
  EXPECT_EQ(orders->config.retention_ms, 1000);
  absl::StatusOr<TopicInfo> payments = store.CreateTopic("payments.v1_x-y", {.partitions = 1});
  ASSERT_TRUE(payments.ok()) << payments.status();
  EXPECT_NE(orders->id, payments->id);

  absl::StatusOr<TopicInfo> got = store.GetTopic("orders");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, orders->id);
  std::vector<TopicInfo> topics = store.ListTopics();
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "orders");
  EXPECT_EQ(topics[1].name, "payments.v1_x-y");
}

TEST_F(TopicTest, RejectsBadNamesAndConfigs) {
  LogStore& store = OpenStore();
  for (std::string name : {std::string(""), std::string("."), std::string(".."),
                           std::string("has space"), std::string("slash/no"),
                           std::string("ünicode"), std::string(kMaxTopicNameLength + 1, 'a')}) {
    absl::StatusOr<TopicInfo> info = store.CreateTopic(name, {.partitions = 1});
    EXPECT_EQ(StoreErrorKindOf(info.status()), StoreErrorKind::kInvalidTopic) << name;
    EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(store.CreateTopic(std::string(kMaxTopicNameLength, 'a'), {.partitions = 1}).ok());
  EXPECT_TRUE(store.CreateTopic("...", {.partitions = 1}).ok());
  EXPECT_TRUE(ValidateTopicName("a.b").ok());
  EXPECT_EQ(StoreErrorKindOf(store.CreateTopic("zero", {.partitions = 0}).status()),
            StoreErrorKind::kInvalidTopic);
  EXPECT_EQ(
      StoreErrorKindOf(store.CreateTopic("many", {.partitions = kMaxPartitions + 1}).status()),
      StoreErrorKind::kInvalidTopic);
  EXPECT_TRUE(store.CreateTopic("max", {.partitions = kMaxPartitions}).ok());
  EXPECT_EQ(StoreErrorKindOf(
                store.CreateTopic("retention", {.partitions = 1, .retention_ms = -2}).status()),
            StoreErrorKind::kInvalidTopic);
}

TEST_F(TopicTest, DuplicateTopicIsAlreadyExists) {
  LogStore& store = OpenStore();
  MustCreate("orders", 1);
  absl::StatusOr<TopicInfo> again = store.CreateTopic("orders", {.partitions = 2});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StoreErrorKindOf(again.status()), StoreErrorKind::kTopicExists);
}

TEST_F(TopicTest, UnknownTopicAndInvalidPartition) {
  LogStore& store = OpenStore();
  MustCreate("orders", 2);
  EXPECT_EQ(StoreErrorKindOf(store.GetTopic("nope").status()), StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(StoreErrorKindOf(store.DeleteTopic("nope")), StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(StoreErrorKindOf(store.AppendAndWait("nope", 0, "x", Fields(1)).status()),
            StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(StoreErrorKindOf(store.Read("nope", 0, 0, 100).status()),
            StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(StoreErrorKindOf(store.GetOffsets("nope", 0).status()), StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(StoreErrorKindOf(store.OffsetForTimestamp("nope", 0, 0).status()),
            StoreErrorKind::kUnknownTopic);

  absl::StatusOr<AppendResult> bad = store.AppendAndWait("orders", 2, "x", Fields(1));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreErrorKindOf(bad.status()), StoreErrorKind::kInvalidPartition);
  EXPECT_EQ(StoreErrorKindOf(store.Read("orders", 2, 0, 100).status()),
            StoreErrorKind::kInvalidPartition);
  EXPECT_EQ(StoreErrorKindOf(store.GetOffsets("orders", 7).status()),
            StoreErrorKind::kInvalidPartition);
  EXPECT_EQ(StoreErrorKindOf(store.OffsetForTimestamp("orders", 2, 0).status()),
            StoreErrorKind::kInvalidPartition);
}

TEST_F(TopicTest, EmptyBatchIsRejected) {
  LogStore& store = OpenStore();
  MustCreate("orders", 1);
  absl::StatusOr<AppendResult> empty = store.AppendAndWait("orders", 0, "x", Fields(0));
  EXPECT_EQ(StoreErrorKindOf(empty.status()), StoreErrorKind::kInvalidBatch);
  EXPECT_EQ(store.GetOffsets("orders", 0)->high_watermark, 0);
}

TEST_F(TopicTest, DeleteThenRecreateGivesNewEmptyTopic) {
  LogStore& store = OpenStore();
  TopicInfo first = MustCreate("orders", 2);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.AppendAndWait("orders", 1, MakeBatch(100, i), Fields(2)).ok());
  }
  ASSERT_TRUE(store.DeleteTopic("orders").ok());
  EXPECT_EQ(StoreErrorKindOf(store.GetTopic("orders").status()), StoreErrorKind::kUnknownTopic);
  EXPECT_TRUE(store.ListTopics().empty());
  EXPECT_EQ(StoreErrorKindOf(store.AppendAndWait("orders", 0, "x", Fields(1)).status()),
            StoreErrorKind::kUnknownTopic);

  TopicInfo second = MustCreate("orders", 3);
  EXPECT_GT(second.id, first.id);
  EXPECT_EQ(second.config.partitions, 3u);
  absl::StatusOr<PartitionOffsets> offsets = store.GetOffsets("orders", 1);
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets->high_watermark, 0);
  absl::StatusOr<ReadResult> read = store.Read("orders", 1, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->batches.empty());
  absl::StatusOr<AppendResult> appended = store.AppendAndWait("orders", 1, "y", Fields(1));
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->base_offset, 0);

  // The old data stays gone and ids stay unique after a restart.
  CloseStore();
  LogStore& reopened = OpenStore();
  EXPECT_EQ(reopened.GetOffsets("orders", 1)->high_watermark, 1);
  TopicInfo third = MustCreate("other", 1);
  EXPECT_GT(third.id, second.id);
}

TEST_F(TopicTest, TopicsPersistAcrossRestart) {
  OpenStore();
  TopicInfo orders = MustCreate("orders", 4);
  TopicInfo gone = MustCreate("gone", 1);
  ASSERT_TRUE(store_->DeleteTopic("gone").ok());
  CloseStore();

  LogStore& store = OpenStore();
  std::vector<TopicInfo> topics = store.ListTopics();
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].name, "orders");
  EXPECT_EQ(topics[0].id, orders.id);
  EXPECT_EQ(topics[0].config.partitions, 4u);
  TopicInfo next = MustCreate("gone", 1);
  EXPECT_GT(next.id, gone.id);
}

TEST_F(TopicTest, OperationsAfterCloseFailWithClosed) {
  LogStore& store = OpenStore();
  MustCreate("orders", 1);
  ASSERT_TRUE(store.Close().ok());
  EXPECT_TRUE(store.Close().ok());  // idempotent
  EXPECT_EQ(StoreErrorKindOf(store.AppendAndWait("orders", 0, "x", Fields(1)).status()),
            StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.Read("orders", 0, 0, 10).status()), StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.CreateTopic("x", {}).status()), StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.DeleteTopic("orders")), StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.AlterTopic("orders", {.partitions = 2}).status()),
            StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.ApplyRetention(0).status()), StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.CommitGroupOffsets("g", {})), StoreErrorKind::kClosed);
  EXPECT_EQ(StoreErrorKindOf(store.InitProducer(-1, 0, false).status()), StoreErrorKind::kClosed);
}

TEST_F(TopicTest, AlterTopicGrowsPartitionsDurably) {
  OpenStore();
  MustCreate("orders", 2);
  ASSERT_TRUE(store_->AppendAndWait("orders", 1, "before", Fields(3)).ok());
  absl::StatusOr<TopicInfo> altered =
      store_->AlterTopic("orders", {.partitions = 4, .retention_ms = 60000});
  ASSERT_TRUE(altered.ok()) << altered.status();
  EXPECT_EQ(altered->config.partitions, 4u);
  EXPECT_EQ(altered->config.retention_ms, 60000);
  EXPECT_EQ(altered->config.retention_bytes, -1);  // untouched
  absl::StatusOr<AppendResult> fresh = store_->AppendAndWait("orders", 3, "new", Fields(1));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->base_offset, 0);
  // The old partitions carry on where they were.
  EXPECT_EQ(store_->AppendAndWait("orders", 1, "after", Fields(1))->base_offset, 3);

  CloseStore();
  OpenStore();
  absl::StatusOr<TopicInfo> info = store_->GetTopic("orders");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->config.partitions, 4u);
  EXPECT_EQ(info->config.retention_ms, 60000);
  EXPECT_EQ(store_->GetOffsets("orders", 3)->high_watermark, 1);
  EXPECT_EQ(store_->Read("orders", 3, 0, 1 << 20)->batches[0].data, "new");
  EXPECT_EQ(store_->AppendAndWait("orders", 3, "more", Fields(1))->base_offset, 1);
  EXPECT_EQ(store_->AppendAndWait("orders", 2, "first", Fields(1))->base_offset, 0);
}

TEST_F(TopicTest, AlterTopicRejectsShrinkingAndBadValues) {
  OpenStore();
  MustCreate("orders", 3);
  absl::StatusOr<TopicInfo> shrink = store_->AlterTopic("orders", {.partitions = 2});
  EXPECT_EQ(StoreErrorKindOf(shrink.status()), StoreErrorKind::kInvalidTopic) << shrink.status();
  EXPECT_EQ(shrink.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreErrorKindOf(store_->AlterTopic("orders", {.retention_bytes = -5}).status()),
            StoreErrorKind::kInvalidTopic);
  EXPECT_EQ(
      StoreErrorKindOf(store_->AlterTopic("orders", {.partitions = kMaxPartitions + 1}).status()),
      StoreErrorKind::kInvalidTopic);
  EXPECT_EQ(StoreErrorKindOf(store_->AlterTopic("nope", {.partitions = 5}).status()),
            StoreErrorKind::kUnknownTopic);
  absl::StatusOr<TopicInfo> same = store_->AlterTopic("orders", {.max_message_bytes = 1024});
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->config.partitions, 3u);
  EXPECT_EQ(store_->GetTopic("orders")->config.max_message_bytes, 1024u);
}

}  // namespace
}  // namespace choreo::storage
