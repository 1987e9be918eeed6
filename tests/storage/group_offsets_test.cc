// Committed consumer-group offsets: commit/fetch/delete/list, validation, durability across a
// restart, topic deletion, and the pinned bytes of the `offsets` column family.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/offsets_format.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

GroupOffset At(std::string topic, PartitionId partition, Offset offset, std::string metadata = "",
               int64_t commit_time_ms = 0) {
  GroupOffset out;
  out.topic = std::move(topic);
  out.partition = partition;
  out.offset = offset;
  out.metadata = std::move(metadata);
  out.commit_time_ms = commit_time_ms;
  return out;
}

class GroupOffsetsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    OpenStore();
    MustCreate("orders", 3);
    MustCreate("payments", 1);
  }

  StoreErrorKind CommitKind(std::string_view group, const std::vector<GroupOffset>& offsets) {
    return StoreErrorKindOf(store_->CommitGroupOffsets(group, offsets));
  }
};

TEST_F(GroupOffsetsTest, CommitThenFetch) {
  ASSERT_TRUE(store_
                  ->CommitGroupOffsets("billing", {At("orders", 2, 40, "m2", 1234),
                                                   At("orders", 0, 10), At("payments", 0, 7)})
                  .ok());
  absl::StatusOr<std::vector<GroupOffset>> all = store_->FetchGroupOffsets("billing");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  // Sorted by topic id (creation order), then partition.
  EXPECT_EQ((*all)[0].topic, "orders");
  EXPECT_EQ((*all)[0].partition, 0u);
  EXPECT_EQ((*all)[0].offset, 10);
  EXPECT_GT((*all)[0].commit_time_ms, 1600000000000);  // "now" was filled in
  EXPECT_EQ((*all)[1].partition, 2u);
  EXPECT_EQ((*all)[1].offset, 40);
  EXPECT_EQ((*all)[1].metadata, "m2");
  EXPECT_EQ((*all)[1].commit_time_ms, 1234);
  EXPECT_EQ((*all)[2].topic, "payments");

  absl::StatusOr<std::vector<GroupOffset>> some = store_->FetchGroupOffsets(
      "billing", {TopicPartition{"orders", 2}, TopicPartition{"orders", 1}});
  ASSERT_TRUE(some.ok()) << some.status();
  ASSERT_EQ(some->size(), 2u);
  EXPECT_EQ((*some)[0].offset, 40);
  EXPECT_EQ((*some)[0].metadata, "m2");
  EXPECT_EQ((*some)[1].offset, -1);  // never committed

  // A later commit replaces the earlier one; other groups are separate.
  ASSERT_TRUE(store_->CommitGroupOffsets("billing", {At("orders", 2, 41)}).ok());
  EXPECT_EQ(store_->FetchGroupOffsets("billing", {TopicPartition{"orders", 2}}).value()[0].offset,
            41);
  EXPECT_TRUE(store_->FetchGroupOffsets("shipping").value().empty());
}

TEST_F(GroupOffsetsTest, ValidationRejectsTheWholeCommit) {
  EXPECT_EQ(CommitKind("g", {At("orders", 0, 5), At("nope", 0, 1)}), StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(CommitKind("g", {At("orders", 0, 5), At("orders", 3, 1)}),
            StoreErrorKind::kInvalidPartition);
  EXPECT_EQ(CommitKind("g", {At("orders", 0, -1)}), StoreErrorKind::kOffsetOutOfRange);
  EXPECT_EQ(CommitKind("g", {At("orders", 0, 1, std::string(kMaxOffsetMetadataBytes + 1, 'x'))}),
            StoreErrorKind::kOffsetMetadataTooLarge);
  EXPECT_EQ(CommitKind("", {At("orders", 0, 1)}), StoreErrorKind::kInvalidGroupId);
  EXPECT_EQ(CommitKind(std::string(kMaxGroupIdLength + 1, 'g'), {At("orders", 0, 1)}),
            StoreErrorKind::kInvalidGroupId);
  // Nothing of the rejected commits was written.
  EXPECT_TRUE(store_->FetchGroupOffsets("g").value().empty());

  EXPECT_TRUE(
      store_
          ->CommitGroupOffsets("g", {At("orders", 0, 1, std::string(kMaxOffsetMetadataBytes, 'x'))})
          .ok());
  EXPECT_TRUE(store_->CommitGroupOffsets(std::string(kMaxGroupIdLength, 'g'), {}).ok());
  EXPECT_EQ(StoreErrorKindOf(store_->FetchGroupOffsets("g", {TopicPartition{"nope", 0}}).status()),
            StoreErrorKind::kUnknownTopic);
  EXPECT_EQ(
      StoreErrorKindOf(store_->FetchGroupOffsets("g", {TopicPartition{"orders", 9}}).status()),
      StoreErrorKind::kInvalidPartition);
}

TEST_F(GroupOffsetsTest, SurviveRestart) {
  ASSERT_TRUE(store_->CommitGroupOffsets("billing", {At("orders", 1, 99, "meta")}).ok());
  CloseStore();
  OpenStore();
  absl::StatusOr<std::vector<GroupOffset>> all = store_->FetchGroupOffsets("billing");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].topic, "orders");
  EXPECT_EQ((*all)[0].partition, 1u);
  EXPECT_EQ((*all)[0].offset, 99);
  EXPECT_EQ((*all)[0].metadata, "meta");
}

TEST_F(GroupOffsetsTest, ListAndDeleteGroups) {
  for (std::string group : {"zeta", "a", "alpha", "b"}) {
    ASSERT_TRUE(store_->CommitGroupOffsets(group, {At("orders", 0, 1)}).ok());
  }
  EXPECT_EQ(store_->ListGroupsWithOffsets().value(),
            (std::vector<std::string>{"a", "alpha", "b", "zeta"}));
  ASSERT_TRUE(store_->DeleteGroupOffsets("alpha").ok());
  ASSERT_TRUE(store_->DeleteGroupOffsets("never-existed").ok());
  EXPECT_EQ(store_->ListGroupsWithOffsets().value(), (std::vector<std::string>{"a", "b", "zeta"}));
  EXPECT_TRUE(store_->FetchGroupOffsets("alpha").value().empty());
  EXPECT_EQ(store_->FetchGroupOffsets("a").value().size(), 1u);  // its neighbour is intact
  CloseStore();
  OpenStore();
  EXPECT_EQ(store_->ListGroupsWithOffsets().value(), (std::vector<std::string>{"a", "b", "zeta"}));
}

TEST_F(GroupOffsetsTest, DeletingATopicDeletesItsOffsets) {
  ASSERT_TRUE(
      store_->CommitGroupOffsets("billing", {At("orders", 0, 5), At("payments", 0, 6)}).ok());
  ASSERT_TRUE(store_->CommitGroupOffsets("audit", {At("orders", 1, 7)}).ok());
  ASSERT_TRUE(store_->DeleteTopic("orders").ok());
  MustCreate("orders", 3);  // same name, new topic: it must not inherit the old offsets

  absl::StatusOr<std::vector<GroupOffset>> billing = store_->FetchGroupOffsets("billing");
  ASSERT_TRUE(billing.ok()) << billing.status();
  ASSERT_EQ(billing->size(), 1u);
  EXPECT_EQ((*billing)[0].topic, "payments");
  EXPECT_EQ(store_->FetchGroupOffsets("audit", {TopicPartition{"orders", 1}}).value()[0].offset,
            -1);
  EXPECT_EQ(store_->ListGroupsWithOffsets().value(), (std::vector<std::string>{"billing"}));
  CloseStore();
  OpenStore();
  EXPECT_EQ(store_->ListGroupsWithOffsets().value(), (std::vector<std::string>{"billing"}));
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

TEST(OffsetsFormatTest, KeyBytesArePinned) {
  std::string key = EncodeGroupOffsetKey("gr", TopicId{0x01020304}, 0x05060708);
  EXPECT_EQ(key,
            Bytes({0x01, 0x00, 0x02, 'g', 'r', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  std::optional<GroupOffsetKey> decoded = DecodeGroupOffsetKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->group, "gr");
  EXPECT_EQ(decoded->topic_id, TopicId{0x01020304});
  EXPECT_EQ(decoded->partition, 0x05060708u);
  EXPECT_FALSE(DecodeGroupOffsetKey(key.substr(0, 12)).has_value());
  std::string v2 = key;
  v2[0] = 2;
  EXPECT_FALSE(DecodeGroupOffsetKey(v2).has_value());

  // A group's range holds exactly its keys, even next to groups that extend its name or whose
  // bytes are 0xFF.
  KeyRange range = GroupKeyRange("gr");
  EXPECT_LE(range.begin, EncodeGroupOffsetKey("gr", TopicId{0}, 0));
  EXPECT_LT(EncodeGroupOffsetKey("gr", TopicId{0xFFFFFFFF}, 0xFFFFFFFF), range.end);
  EXPECT_LE(range.end, EncodeGroupOffsetKey("gs", TopicId{0}, 0));
  EXPECT_FALSE(EncodeGroupOffsetKey("gr2", TopicId{0}, 0) >= range.begin &&
               EncodeGroupOffsetKey("gr2", TopicId{0}, 0) < range.end);
  KeyRange ff = GroupKeyRange("g\xff");
  EXPECT_LT(EncodeGroupOffsetKey("g\xff", TopicId{0xFFFFFFFF}, 0xFFFFFFFF), ff.end);
  EXPECT_LE(ff.end, EncodeGroupOffsetKey("ha", TopicId{0}, 0));
}

TEST(OffsetsFormatTest, ValueBytesArePinnedAndRoundTrip) {
  GroupOffsetValue value{.offset = 0x0102, .commit_time_ms = 0x0304, .metadata = "md"};
  std::string bytes = EncodeGroupOffsetValue(value);
  EXPECT_EQ(bytes, Bytes({0x01, 0, 0, 0, 0,   0,  0,    0x01, 0x02,  // version offset
                          0,    0, 0, 0, 0,   0,  0x03, 0x04,        // commit time
                          0,    0, 0, 2, 'm', 'd'}));                // metadata
  absl::StatusOr<GroupOffsetValue> decoded = DecodeGroupOffsetValue(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->offset, 0x0102);
  EXPECT_EQ(decoded->commit_time_ms, 0x0304);
  EXPECT_EQ(decoded->metadata, "md");
  EXPECT_TRUE(DecodeGroupOffsetValue(bytes + "later").ok());
  EXPECT_EQ(DecodeGroupOffsetValue(bytes.substr(0, 22)).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace choreo::storage
