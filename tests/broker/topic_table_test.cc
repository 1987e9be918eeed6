// TopicTable keeps no copy of the topics: the store's registry is their one definition, so a
// change made in the store is what the broker sees at once, with nothing to keep in step; and the
// table's generation moves with every change made through it (group subscription caches rely on
// it).
#include "broker/topic/topic_table.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

namespace choreo::broker {
namespace {

class TopicTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "choreo_topic_table_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    storage::StoreOptions options;
    options.data_dir = dir_;
    options.fsync = storage::FsyncPolicy::kNever;
    absl::StatusOr<std::unique_ptr<storage::LogStore>> store = storage::LogStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    table_ = std::make_unique<TopicTable>(*store_);
  }
  void TearDown() override {
    table_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string dir_;
  std::unique_ptr<storage::LogStore> store_;
  std::unique_ptr<TopicTable> table_;
};

TEST_F(TopicTableTest, SeesTheStoresTopicsWithoutACopy) {
  storage::TopicConfig config;
  config.partitions = 3;
  ASSERT_TRUE(store_->CreateTopic("direct", config).ok());
  std::optional<storage::TopicInfo> found = table_->Find("direct");
  ASSERT_TRUE(found) << "a topic created in the store is missing from the broker's view";
  EXPECT_EQ(found->config.partitions, 3u);

  storage::TopicConfigUpdate update;
  update.partitions = 5;
  ASSERT_TRUE(store_->AlterTopic("direct", update).ok());
  EXPECT_EQ(table_->Find("direct")->config.partitions, 5u);

  ASSERT_TRUE(store_->DeleteTopic("direct").ok());
  EXPECT_FALSE(table_->Find("direct"));
  EXPECT_TRUE(table_->List().empty());
}

TEST_F(TopicTableTest, ChangesThroughTheTableMoveItsGeneration) {
  storage::TopicConfig config;
  config.partitions = 1;
  uint64_t generation = table_->generation();
  ASSERT_TRUE(table_->Create("b", config).ok());
  ASSERT_TRUE(table_->Create("a", config).ok());
  EXPECT_GT(table_->generation(), generation);
  ASSERT_EQ(table_->List().size(), 2u);
  EXPECT_EQ(table_->List()[0].name, "a");  // sorted by name
  EXPECT_TRUE(store_->GetTopic("a").ok());

  generation = table_->generation();
  storage::TopicConfigUpdate update;
  update.partitions = 2;
  ASSERT_TRUE(table_->Alter("a", update).ok());
  EXPECT_GT(table_->generation(), generation);

  generation = table_->generation();
  ASSERT_TRUE(table_->Delete("a").ok());
  EXPECT_GT(table_->generation(), generation);

  // A failed change moves nothing.
  generation = table_->generation();
  EXPECT_FALSE(table_->Delete("a").ok());
  EXPECT_FALSE(table_->Create("b", config).ok());
  EXPECT_EQ(table_->generation(), generation);
}

}  // namespace
}  // namespace choreo::broker
