#include "choreo/saga/processed_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace choreo::saga {
namespace {

// The contract, against every bundled store.
void ExpectRunsOnceAndReplaysTheOutcome(ProcessedStore& store) {
  int runs = 0;
  auto effect = [&]() -> Result<std::string> {
    ++runs;
    return std::string("charged-") + std::to_string(runs);
  };
  EXPECT_EQ(*store.RunOnce("k1", effect), "charged-1");
  EXPECT_EQ(*store.RunOnce("k1", effect), "charged-1");
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(*store.RunOnce("k2", effect), "charged-2");
  // A failing effect records nothing: the next delivery runs it again.
  Result<std::string> failed =
      store.RunOnce("k3", [] { return Result<std::string>(Status(ErrorCode::kUnknown, "down")); });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(*store.RunOnce("k3", effect), "charged-3");
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "choreo-inbox-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(ProcessedStoreTest, InMemoryStore) {
  ExpectRunsOnceAndReplaysTheOutcome(*NewInMemoryProcessedStore());
}

TEST(ProcessedStoreTest, InMemoryStoreForgetsTheOldestBeyondItsBound) {
  auto store = NewInMemoryProcessedStore(2);
  int runs = 0;
  auto effect = [&]() -> Result<std::string> { return std::to_string(++runs); };
  EXPECT_EQ(store->RunOnce("a", effect).value(), "1");
  EXPECT_EQ(store->RunOnce("b", effect).value(), "2");
  EXPECT_EQ(store->RunOnce("c", effect).value(), "3");
  EXPECT_EQ(*store->RunOnce("c", effect), "3");
  EXPECT_EQ(*store->RunOnce("a", effect), "4");  // forgotten, so run again
}

TEST(ProcessedStoreTest, FileStoreKeepsOutcomesAcrossReopen) {
  TempDir dir;
  const std::string path = dir.File("inbox");
  {
    auto store = OpenFileProcessedStore(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExpectRunsOnceAndReplaysTheOutcome(**store);
    EXPECT_EQ(*(*store)->RunOnce(std::string("bin\n\0ary", 8),
                                 [] { return Result<std::string>(std::string("x\ny")); }),
              "x\ny");
  }
  auto reopened = OpenFileProcessedStore(path);
  ASSERT_TRUE(reopened.ok());
  bool ran = false;
  auto effect = [&]() -> Result<std::string> {
    ran = true;
    return std::string("again");
  };
  EXPECT_EQ(*(*reopened)->RunOnce("k1", effect), "charged-1");
  EXPECT_EQ(*(*reopened)->RunOnce(std::string("bin\n\0ary", 8), effect), "x\ny");
  EXPECT_FALSE(ran);
}

TEST(ProcessedStoreTest, FileStoreDropsATornLastLineAndRejectsCorruption) {
  TempDir dir;
  const std::string path = dir.File("inbox");
  {
    auto store = OpenFileProcessedStore(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->RunOnce("k", [] { return Result<std::string>(std::string("v")); }).ok());
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "123 6b6b 7";  // a crash in the middle of a line
  }
  auto store = OpenFileProcessedStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->RunOnce("k", [] { return Result<std::string>(std::string("new")); }), "v");
  {
    std::ofstream out(path, std::ios::app);
    out << "not a line\n";
  }
  auto corrupt = OpenFileProcessedStore(path);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find("line 2"), std::string::npos)
      << corrupt.status().message();
}

TEST(ProcessedStoreTest, FileStoreDropsEntriesOlderThanItsRetention) {
  TempDir dir;
  const std::string path = dir.File("inbox");
  {
    std::ofstream out(path);
    out << "1 6f6c64 31\n";  // "old" -> "1", recorded in 1970
  }
  auto store = OpenFileProcessedStore(path, std::chrono::hours(1));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->RunOnce("old", [] { return Result<std::string>(std::string("2")); }), "2");
}

}  // namespace
}  // namespace choreo::saga
