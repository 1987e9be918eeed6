// Direct I/O for flushes and compactions: on where the filesystem takes O_DIRECT, silently off
// where it does not, and the store works the same either way.
#include <gtest/gtest.h>
#include <sys/vfs.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "choreo/storage/log_store.h"
#include "storage/store_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;

constexpr long kTmpfsMagic = 0x01021994;

// What RocksDB recorded in the newest OPTIONS file of `data_dir`.
std::string DirectIoOption(const std::string& data_dir) {
  std::filesystem::path newest;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("OPTIONS-") && entry.path() > newest) newest = entry.path();
  }
  std::ifstream in(newest);
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find("use_direct_io_for_flush_and_compaction=");
    if (at != std::string::npos) return line.substr(line.find('=', at) + 1);
  }
  return "";
}

bool IsTmpfs(const std::string& path) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 && fs.f_type == kTmpfsMagic;
}

class DirectIoTest : public testing::StoreTest {
 protected:
  // Appends, flushes (so the data is in SST files written with or without O_DIRECT), reopens and
  // reads everything back.
  void AppendFlushReopenRead() {
    OpenStore();
    MustCreate("events", 2);
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(store_->AppendAndWait("events", i % 2, MakeBatch(64 << 10, i), Fields(3)).ok());
    }
    ASSERT_TRUE(store_->Flush().ok());
    CloseStore();
    OpenStore();
    for (uint32_t p = 0; p < 2; ++p) {
      absl::StatusOr<ReadResult> read = store_->Read("events", p, 0, 64 << 20);
      ASSERT_TRUE(read.ok()) << read.status();
      ASSERT_EQ(read->batches.size(), 20u);
      for (size_t b = 0; b < read->batches.size(); ++b)
        EXPECT_EQ(read->batches[b].data, MakeBatch(64 << 10, 2 * b + p)) << p << "/" << b;
    }
  }
};

// Whether the filesystem takes O_DIRECT decides, and the store works either way. Both kinds are
// hard to have at hand (tmpfs took O_DIRECT from Linux 6.6 on), so the test checks that RocksDB was
// told what the probe found, on the test directory and on /dev/shm (tmpfs) when there is one.
TEST_F(DirectIoTest, FollowsWhatTheFilesystemSupports) {
  options_.direct_io_writes = true;
  const bool supported = DirectIoSupported(dir_ + "/probe");
  AppendFlushReopenRead();
  EXPECT_EQ(DirectIoOption(options_.data_dir), supported ? "true" : "false");
  EXPECT_FALSE(std::filesystem::exists(options_.data_dir + "/.choreo-direct-io-probe"));
}

TEST_F(DirectIoTest, FollowsWhatTmpfsSupports) {
  const std::string shm = "/dev/shm";
  if (!std::filesystem::is_directory(shm) || !IsTmpfs(shm)) GTEST_SKIP() << "no tmpfs at " << shm;
  std::string pattern = shm + "/choreo_direct_io_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string tmpfs_dir = pattern;
  const bool supported = DirectIoSupported(tmpfs_dir);
  options_.data_dir = tmpfs_dir + "/data";
  options_.direct_io_writes = true;
  AppendFlushReopenRead();
  EXPECT_EQ(DirectIoOption(options_.data_dir), supported ? "true" : "false");
  store_.reset();
  std::filesystem::remove_all(tmpfs_dir);
}

TEST_F(DirectIoTest, CanBeSwitchedOff) {
  options_.direct_io_writes = false;
  AppendFlushReopenRead();
  EXPECT_EQ(DirectIoOption(options_.data_dir), "false");
}

}  // namespace
}  // namespace choreo::storage
