// Pins the stored form of schema versions (meta key type 'Y') and the topic flag of schema
// validation, and checks that versions survive reopening the store. A change to the expected
// bytes is a format change: it needs a new version byte.
#include <gtest/gtest.h>

#include <string>

#include "choreo/storage/log_store.h"
#include "storage/meta_format.h"
#include "storage/schema_format.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

TEST(SchemaFormatTest, KeyIsPinnedAndSortsBySubjectThenVersion) {
  EXPECT_EQ(SchemaMetaKey("a.B", 0x01020304), Bytes({'Y', 'a', '.', 'B', 0, 1, 2, 3, 4}));
  EXPECT_LT(SchemaMetaKey("a.B", 1), SchemaMetaKey("a.B", 2));
  EXPECT_LT(SchemaMetaKey("a.B", 0xFFFFFFFF), SchemaMetaKey("a.BC", 1));
  EXPECT_LT(SchemaMetaRangeBegin(), SchemaMetaKey("A", 1));
  EXPECT_LT(SchemaMetaKey("zzz", 0xFFFFFFFF), SchemaMetaRangeEnd());
  EXPECT_EQ(SchemaMetaRangeEnd(), "Z");
}

TEST(SchemaFormatTest, ValueIsPinnedAndRoundTrips) {
  StoredSchema schema{
      .subject = "o.Created", .version = 3, .registered_ms = 0x0102, .schema = "xy"};
  const std::string value = EncodeSchemaValue(schema);
  EXPECT_EQ(value, Bytes({1, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 2, 'x', 'y'}));
  absl::StatusOr<StoredSchema> decoded = DecodeSchema(SchemaMetaKey("o.Created", 3), value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->subject, "o.Created");
  EXPECT_EQ(decoded->version, 3u);
  EXPECT_EQ(decoded->registered_ms, 0x0102);
  EXPECT_EQ(decoded->schema, "xy");
  // Fields appended within version 1 are ignored; truncation and other versions are DataLoss.
  EXPECT_TRUE(DecodeSchema(SchemaMetaKey("o.Created", 3), value + "more").ok());
  EXPECT_EQ(DecodeSchema(SchemaMetaKey("o.Created", 3), value.substr(0, 14)).status().code(),
            absl::StatusCode::kDataLoss);
  std::string v2 = value;
  v2[0] = 2;
  EXPECT_EQ(DecodeSchema(SchemaMetaKey("o.Created", 3), v2).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeSchema("Yx", value).status().code(), absl::StatusCode::kDataLoss);
}

TEST(SchemaFormatTest, SchemaValidationIsBitOneOfTheTopicFlags) {
  TopicInfo info{.id = TopicId{1}, .name = "t", .config = {.partitions = 1}};
  EXPECT_EQ(EncodeTopicRecord(info).size(), 33u);  // defaults: no flags byte
  info.config.schema_validation = true;
  std::string value = EncodeTopicRecord(info);
  ASSERT_EQ(value.size(), 34u);
  EXPECT_EQ(value[33], 0x02);
  info.config.index_events = false;
  EXPECT_EQ(EncodeTopicRecord(info)[33], 0x03);
  absl::StatusOr<TopicInfo> decoded = DecodeTopicRecord("t", value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->config.schema_validation);
  EXPECT_TRUE(decoded->config.index_events);
  EXPECT_FALSE(DecodeTopicRecord("t", value.substr(0, 33))->config.schema_validation);
}

class SchemaStoreTest : public testing::StoreTest {};

TEST_F(SchemaStoreTest, VersionsSurviveReopenInOrder) {
  LogStore& store = OpenStore();
  ASSERT_TRUE(store.PutSchema({.subject = "b.X", .version = 1, .schema = "one"}).ok());
  ASSERT_TRUE(store.PutSchema({.subject = "a.Y", .version = 2, .schema = "two"}).ok());
  ASSERT_TRUE(store.PutSchema({.subject = "a.Y", .version = 1, .schema = "three"}).ok());
  CloseStore();
  absl::StatusOr<std::vector<StoredSchema>> listed = OpenStore().ListSchemas();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].subject, "a.Y");
  EXPECT_EQ((*listed)[0].version, 1u);
  EXPECT_EQ((*listed)[0].schema, "three");
  EXPECT_EQ((*listed)[1].version, 2u);
  EXPECT_EQ((*listed)[2].subject, "b.X");
}

TEST_F(SchemaStoreTest, RejectsBadSubjectsVersionsAndSizes) {
  LogStore& store = OpenStore();
  EXPECT_EQ(store.PutSchema({.subject = "a b", .version = 1}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.PutSchema({.subject = "", .version = 1}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.PutSchema({.subject = "a", .version = 0}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                .PutSchema(
                    {.subject = "a", .version = 1, .schema = std::string(kMaxSchemaBytes + 1, 'x')})
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::storage
