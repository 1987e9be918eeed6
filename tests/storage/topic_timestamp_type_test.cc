// TopicConfig::log_append_time: bit 2 of the topic record's flags byte, set at creation or by
// AlterTopic, durable across a restart. (The broker does the stamping: tests/broker.)
#include <gtest/gtest.h>

#include "choreo/storage/log_store.h"
#include "storage/meta_format.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

TEST(TopicFormatTest, LogAppendTimeIsBitTwoOfTheTopicFlags) {
  TopicInfo info{.id = TopicId{1}, .name = "t", .config = {.partitions = 1}};
  info.config.log_append_time = true;
  std::string value = EncodeTopicRecord(info);
  ASSERT_EQ(value.size(), 34u);
  EXPECT_EQ(value[33], 0x04);
  absl::StatusOr<TopicInfo> decoded = DecodeTopicRecord("t", value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->config.log_append_time);
  EXPECT_FALSE(decoded->config.schema_validation);
  // Records written before the flag existed (no flags byte) are create time.
  EXPECT_FALSE(DecodeTopicRecord("t", value.substr(0, 33))->config.log_append_time);
}

class TopicTimestampTypeTest : public testing::StoreTest {};

TEST_F(TopicTimestampTypeTest, SetAtCreationOrByAlterAndDurable) {
  LogStore& store = OpenStore();
  ASSERT_TRUE(store.CreateTopic("stamped", {.partitions = 1, .log_append_time = true}).ok());
  ASSERT_TRUE(store.CreateTopic("plain", {.partitions = 1}).ok());
  EXPECT_FALSE(store.GetTopic("plain")->config.log_append_time);
  absl::StatusOr<TopicInfo> altered = store.AlterTopic("plain", {.log_append_time = true});
  ASSERT_TRUE(altered.ok()) << altered.status();
  EXPECT_TRUE(altered->config.log_append_time);
  // An update that does not name it keeps it.
  EXPECT_TRUE(store.AlterTopic("plain", {.retention_ms = 1000})->config.log_append_time);
  CloseStore();
  LogStore& reopened = OpenStore();
  EXPECT_TRUE(reopened.GetTopic("stamped")->config.log_append_time);
  EXPECT_TRUE(reopened.GetTopic("plain")->config.log_append_time);
  EXPECT_FALSE(reopened.AlterTopic("plain", {.log_append_time = false})->config.log_append_time);
}

}  // namespace
}  // namespace choreo::storage
