// Retention by time and size: where the log start moves, that reads below it are OutOfRange,
// that it survives a restart, that small steps are skipped, that the disk space is reclaimed,
// and that readers racing a trim get whole batches or OutOfRange, never wrong data.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/keys.h"
#include "tests/storage/raw_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;

constexpr size_t kBatchBytes = 100;

class RetentionTest : public testing::StoreTest {
 protected:
  void Create(const TopicConfig& config) {
    ASSERT_TRUE(store_->CreateTopic("events", config).ok());
  }
  // Appends `count` batches of 2 records; batch i holds MakeBatch(size, base offset) and has max
  // timestamp `first_ts + i`.
  void AppendBatches(int count, int64_t first_ts, size_t size = kBatchBytes) {
    for (int i = 0; i < count; ++i) {
      Offset base = store_->GetOffsets("events", 0)->high_watermark;
      absl::StatusOr<AppendResult> r =
          store_->AppendAndWait("events", 0, MakeBatch(size, base), Fields(2, first_ts + i));
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->base_offset, base);
    }
  }
  PartitionOffsets Offsets() { return store_->GetOffsets("events", 0).value(); }
};

TEST_F(RetentionTest, TimeRetentionDropsExpiredBatchesOnly) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  Create({.partitions = 1, .retention_ms = 1000});
  AppendBatches(10, 1000);  // offsets 0..19, timestamps 1000..1009
  AppendBatches(5, 5000);   // offsets 20..29

  EXPECT_EQ(store_->ApplyRetention(/*now_ms=*/1500).value(), 0);  // nothing older than 500
  absl::StatusOr<int64_t> dropped = store_->ApplyRetention(/*now_ms=*/5500);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, static_cast<int64_t>(10 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 20);
  EXPECT_EQ(Offsets().high_watermark, 30);

  absl::StatusOr<ReadResult> below = store_->Read("events", 0, 19, 1 << 20);
  EXPECT_EQ(StoreErrorKindOf(below.status()), StoreErrorKind::kOffsetOutOfRange);
  absl::StatusOr<ReadResult> at = store_->Read("events", 0, 20, 1 << 20);
  ASSERT_TRUE(at.ok()) << at.status();
  ASSERT_EQ(at->batches.size(), 5u);
  EXPECT_EQ(at->batches[0].base_offset, 20);
  EXPECT_EQ(at->batches[0].data, MakeBatch(kBatchBytes, 20));

  CloseStore();
  OpenStore();
  EXPECT_EQ(Offsets().log_start_offset, 20);
  EXPECT_EQ(Offsets().high_watermark, 30);
  EXPECT_EQ(StoreErrorKindOf(store_->Read("events", 0, 0, 1 << 20).status()),
            StoreErrorKind::kOffsetOutOfRange);
}

TEST_F(RetentionTest, EverythingExpiredEmptiesThePartitionEvenInSmallSteps) {
  OpenStore();  // default minimum step: 1 MiB, but a fully expired partition is always trimmed
  Create({.partitions = 1, .retention_ms = 10});
  AppendBatches(3, 100);
  EXPECT_EQ(store_->ApplyRetention(1000).value(), static_cast<int64_t>(3 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 6);
  EXPECT_EQ(Offsets().high_watermark, 6);
  absl::StatusOr<ReadResult> empty = store_->Read("events", 0, 6, 1 << 20);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->batches.empty());

  CloseStore();
  OpenStore();
  AppendBatches(1, 2000);  // continues at the log start
  EXPECT_EQ(Offsets().log_start_offset, 6);
  EXPECT_EQ(Offsets().high_watermark, 8);
}

TEST_F(RetentionTest, SmallStepsAreSkipped) {
  OpenStore();  // default minimum step: 1 MiB, or 10% of the partition when its size is known
  Create({.partitions = 1, .retention_ms = 1000});
  AppendBatches(1, 0);      // expired at now = 5000
  AppendBatches(20, 4500);  // not expired
  EXPECT_EQ(store_->ApplyRetention(5000).value(), 0);
  EXPECT_EQ(Offsets().log_start_offset, 0);
}

TEST_F(RetentionTest, SizeRetentionKeepsTheNewestBytes) {
  OpenStore();
  Create({.partitions = 1, .retention_bytes = 10 * kBatchBytes});
  AppendBatches(30, 0);  // 3000 bytes, offsets 0..59
  EXPECT_EQ(store_->ApplyRetention(0).value(), static_cast<int64_t>(20 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 40);
  EXPECT_EQ(store_->Read("events", 0, 40, 1 << 20)->batches.size(), 10u);
  EXPECT_EQ(store_->ApplyRetention(0).value(), 0);  // already within the limit

  // The byte count is recovered after a restart, and kept up to date by appends.
  CloseStore();
  OpenStore();
  AppendBatches(5, 0);
  EXPECT_EQ(store_->ApplyRetention(0).value(), static_cast<int64_t>(5 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 50);
  AppendBatches(5, 0);
  EXPECT_EQ(store_->ApplyRetention(0).value(), static_cast<int64_t>(5 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 60);
}

TEST_F(RetentionTest, SizeRetentionNeverDropsTheNewestBatch) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  Create({.partitions = 1, .retention_bytes = 0});
  AppendBatches(4, 0);
  EXPECT_EQ(store_->ApplyRetention(0).value(), static_cast<int64_t>(3 * kBatchBytes));
  EXPECT_EQ(Offsets().log_start_offset, 6);
  EXPECT_EQ(Offsets().high_watermark, 8);
  EXPECT_EQ(store_->ApplyRetention(0).value(), 0);
}

TEST_F(RetentionTest, TopicsWithoutLimitsAreUntouched) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  Create({.partitions = 1});
  AppendBatches(5, 0);
  EXPECT_EQ(store_->ApplyRetention(1'000'000'000'000).value(), 0);
  EXPECT_EQ(Offsets().log_start_offset, 0);
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

TEST_F(RetentionTest, DiskSpaceIsReclaimed) {
  OpenStore();
  Create({.partitions = 1, .retention_bytes = 256 << 10});
  AppendBatches(96, 0, 64 << 10);  // 6 MiB
  ASSERT_TRUE(store_->Flush().ok());
  const uint64_t before = DirectoryBytes(options_.data_dir);
  EXPECT_GT(before, 6u << 20);

  absl::StatusOr<int64_t> dropped = store_->ApplyRetention(0);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, 92 * (64 << 10));
  ASSERT_TRUE(store_->Flush().ok());
  const uint64_t after = DirectoryBytes(options_.data_dir);
  EXPECT_LT(after, before / 3) << "before " << before << " after " << after;
  EXPECT_EQ(store_->Read("events", 0, Offsets().log_start_offset, 1 << 30)->batches.size(), 4u);
}

// The window a racing read can fall into: the read checked its offset against the old log start,
// then retention deleted the batches below the new one before the read's iterator was created.
// The read must not return the next batches as if they were the requested ones.
TEST_F(RetentionTest, ReadOfADeletedBatchIsOutOfRangeNotTheNextBatch) {
  OpenStore();
  Create({.partitions = 1});
  AppendBatches(5, 0);  // offsets 0..9
  const TopicId id = store_->GetTopic("events")->id;
  CloseStore();
  {
    // Delete without moving the log start: what a reader sees mid-trim.
    testing::RawDb raw(options_.data_dir);
    raw.DeleteRange(raw.records(), AsStringView(EncodeRecordKey(id, 0, 0)),
                    AsStringView(EncodeRecordKey(id, 0, 4)));
  }
  OpenStore();
  ASSERT_EQ(Offsets().log_start_offset, 0);
  for (Offset offset : {0, 3}) {
    absl::StatusOr<ReadResult> r = store_->Read("events", 0, offset, 1 << 20);
    EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kOffsetOutOfRange) << offset;
  }
  EXPECT_EQ(store_->Read("events", 0, 4, 1 << 20)->batches.size(), 3u);
}

// A reader keeps reading from the log start while retention trims underneath it: every read
// returns whole, correct batches starting with the one that holds the offset, or OutOfRange.
TEST_F(RetentionTest, ReadsRacingATrimGetDataOrOutOfRange) {
  options_.retention_min_trim_bytes = 0;
  OpenStore();
  Create({.partitions = 1, .retention_bytes = 1 << 30});
  AppendBatches(400, 0);
  std::atomic<bool> stop{false};
  std::atomic<int> ok_reads{0}, out_of_range{0}, bad{0};
  std::thread reader([&] {
    Offset log_start = 0;  // refreshed only after OutOfRange, so it is often stale
    Offset next = 0;
    for (int i = 0; !stop.load(); ++i) {
      const Offset offset = i % 2 == 0 ? log_start : next;
      absl::StatusOr<ReadResult> r = store_->Read("events", 0, offset, 4 * kBatchBytes);
      if (!r.ok()) {
        if (StoreErrorKindOf(r.status()) != StoreErrorKind::kOffsetOutOfRange) ++bad;
        ++out_of_range;
        log_start = next = store_->GetOffsets("events", 0)->log_start_offset;
        continue;
      }
      ++ok_reads;
      if (r->batches.empty()) {
        next = log_start;
        continue;
      }
      if (r->batches[0].base_offset > offset || r->batches[0].next_offset() <= offset) ++bad;
      for (const StoredBatch& b : r->batches) {
        if (b.data != MakeBatch(kBatchBytes, b.base_offset) || b.record_count != 2) ++bad;
      }
      next = offset + 3 < r->offsets.high_watermark ? offset + 3 : log_start;
    }
  });
  for (int64_t keep = 395; keep > 0; keep -= 5) {
    ASSERT_TRUE(store_->AlterTopic("events", {.retention_bytes = keep * kBatchBytes}).ok());
    ASSERT_TRUE(store_->ApplyRetention(0).ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(ok_reads.load(), 0);
  EXPECT_EQ(Offsets().log_start_offset, 790);
}

}  // namespace
}  // namespace choreo::storage
