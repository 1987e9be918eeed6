// Appends and reads: dense offsets, group commit from many threads, read boundaries, max_bytes,
// the visible range, timestamps, fsync policies and the commit listener.
#include <absl/container/flat_hash_map.h>
#include <gtest/gtest.h>

#include <thread>
#include <tuple>
#include <vector>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;
using testing::WaitFor;

class AppendReadTest : public testing::StoreTest {
 protected:
  // Appends `count` batches of `records` records each to orders/0 and returns their bases.
  std::vector<Offset> AppendMany(int count, uint32_t records, size_t size = 64) {
    std::vector<Offset> bases;
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<AppendResult> r =
          store_->AppendAndWait("orders", 0, MakeBatch(size, i), Fields(records, 1000 + i));
      EXPECT_TRUE(r.ok()) << r.status();
      bases.push_back(r.ok() ? r->base_offset : -1);
    }
    return bases;
  }
};

TEST_F(AppendReadTest, OffsetsAreDenseAndOrdered) {
  OpenStore();
  MustCreate("orders", 1);
  Offset expected = 0;
  for (uint32_t i = 1; i <= 50; ++i) {
    absl::StatusOr<AppendResult> r =
        store_->AppendAndWait("orders", 0, MakeBatch(10, i), Fields(i));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->base_offset, expected);
    EXPECT_EQ(r->log_start_offset, 0);
    EXPECT_FALSE(r->duplicate);
    expected += i;
  }
  EXPECT_EQ(store_->GetOffsets("orders", 0)->high_watermark, expected);
}

TEST_F(AppendReadTest, ConcurrentAppendsKeepEachPartitionDense) {
  OpenStore();
  constexpr int kPartitions = 4;
  constexpr int kThreads = 6;
  constexpr int kPerThread = 150;
  MustCreate("orders", kPartitions);

  Mutex mu;
  int completed = 0;
  // (partition, base) -> (records, payload seed)
  absl::flat_hash_map<std::pair<PartitionId, Offset>, std::pair<uint32_t, uint64_t>> placed;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        PartitionId partition = (t + i) % kPartitions;
        uint32_t records = 1 + (i % 5);
        uint64_t seed = t * 100000 + i;
        store_->Append(
            "orders", partition, MakeBatch(32 + i % 50, seed), Fields(records),
            [&, partition, records, seed](absl::StatusOr<AppendResult> r) {
              MutexLock lock(&mu);
              ++completed;
              if (!r.ok()) {
                errors.push_back(r.status().ToString());
                return;
              }
              bool inserted = placed.try_emplace({partition, r->base_offset}, records, seed).second;
              if (!inserted) errors.push_back("duplicate offset");
            });
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  ASSERT_TRUE(WaitFor(mu, [&] { return completed == kThreads * kPerThread; }));
  MutexLock lock(&mu);
  ASSERT_TRUE(errors.empty()) << errors.front();

  for (PartitionId p = 0; p < kPartitions; ++p) {
    absl::StatusOr<ReadResult> read = store_->Read("orders", p, 0, uint64_t{1} << 30);
    ASSERT_TRUE(read.ok()) << read.status();
    Offset next = 0;
    for (const StoredBatch& batch : read->batches) {
      EXPECT_EQ(batch.base_offset, next) << "gap or overlap in partition " << p;
      auto it = placed.find({p, batch.base_offset});
      ASSERT_NE(it, placed.end());
      EXPECT_EQ(batch.record_count, it->second.first);
      EXPECT_EQ(batch.data.substr(0, 32), MakeBatch(32, it->second.second).substr(0, 32));
      next = batch.next_offset();
    }
    EXPECT_EQ(next, read->offsets.high_watermark);
  }
  EXPECT_EQ(placed.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AppendReadTest, ReadsAcrossBatchBoundariesAndFromMidBatch) {
  OpenStore();
  MustCreate("orders", 1);
  std::vector<Offset> bases = AppendMany(10, 3);  // batches at 0, 3, 6, ..., 27
  ASSERT_EQ(bases[9], 27);

  for (Offset offset : {Offset{0}, Offset{3}, Offset{4}, Offset{5}, Offset{28}, Offset{29}}) {
    absl::StatusOr<ReadResult> read = store_->Read("orders", 0, offset, 1 << 20);
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_FALSE(read->batches.empty());
    const StoredBatch& first = read->batches.front();
    EXPECT_EQ(first.base_offset, offset / 3 * 3) << offset;
    EXPECT_LE(first.base_offset, offset);
    EXPECT_GT(first.next_offset(), offset);
    EXPECT_EQ(first.data, MakeBatch(64, offset / 3));
    EXPECT_EQ(first.max_timestamp_ms, 1000 + offset / 3);
    EXPECT_EQ(read->batches.back().next_offset(), 30);
    EXPECT_EQ(read->offsets.high_watermark, 30);
  }
}

// A memory-only read answers from the memtable, and says it needs the disk (returning nothing)
// once the batches are only in files: reopening flushes the recovered memtable and starts with a
// cold block cache (recovery reads only the last batch, in a block of its own at this size).
TEST_F(AppendReadTest, MemoryOnlyReadsNeverGoToDisk) {
  OpenStore();
  MustCreate("orders", 1);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_->AppendAndWait("orders", 0, std::string(256 << 10, 'a' + i), Fields(2)).ok());
  }
  absl::StatusOr<ReadResult> hot = store_->Read("orders", 0, 2, 1 << 20, ReadTier::kMemoryOnly);
  ASSERT_TRUE(hot.ok()) << hot.status();
  EXPECT_FALSE(hot->needs_io);
  ASSERT_EQ(hot->batches.size(), 2u);
  EXPECT_EQ(hot->batches[0].base_offset, 2);

  CloseStore();
  OpenStore();
  absl::StatusOr<ReadResult> cold = store_->Read("orders", 0, 2, 1 << 20, ReadTier::kMemoryOnly);
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_TRUE(cold->needs_io);
  EXPECT_TRUE(cold->batches.empty());
  EXPECT_EQ(cold->offsets.high_watermark, 6);
  absl::StatusOr<ReadResult> disk = store_->Read("orders", 0, 2, 1 << 20);
  ASSERT_TRUE(disk.ok()) << disk.status();
  EXPECT_FALSE(disk->needs_io);
  EXPECT_EQ(disk->batches.size(), 2u);
  // The high watermark needs no data at all.
  absl::StatusOr<ReadResult> tail = store_->Read("orders", 0, 6, 1 << 20, ReadTier::kMemoryOnly);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_FALSE(tail->needs_io);
  EXPECT_TRUE(tail->batches.empty());
}

TEST_F(AppendReadTest, MaxBytesLimitsButReturnsAtLeastOneBatch) {
  OpenStore();
  MustCreate("orders", 1);
  AppendMany(10, 1, 100);
  auto count = [&](Offset offset, uint64_t max_bytes) {
    absl::StatusOr<ReadResult> read = store_->Read("orders", 0, offset, max_bytes);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? read->batches.size() : size_t{0};
  };
  EXPECT_EQ(count(0, 0), 1u);
  EXPECT_EQ(count(0, 1), 1u);
  EXPECT_EQ(count(0, 100), 1u);
  EXPECT_EQ(count(0, 199), 1u);
  EXPECT_EQ(count(0, 200), 2u);
  EXPECT_EQ(count(0, 350), 3u);
  EXPECT_EQ(count(2, 1 << 20), 8u);
  EXPECT_EQ(count(9, 1), 1u);
}

TEST_F(AppendReadTest, VisibleRangeBoundaries) {
  OpenStore();
  MustCreate("orders", 1);
  AppendMany(4, 2);  // hw 8
  absl::StatusOr<ReadResult> at_hw = store_->Read("orders", 0, 8, 1 << 20);
  ASSERT_TRUE(at_hw.ok()) << at_hw.status();
  EXPECT_TRUE(at_hw->batches.empty());
  EXPECT_EQ(at_hw->offsets.high_watermark, 8);
  EXPECT_EQ(at_hw->offsets.log_start_offset, 0);

  absl::StatusOr<ReadResult> beyond = store_->Read("orders", 0, 9, 1 << 20);
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(StoreErrorKindOf(beyond.status()), StoreErrorKind::kOffsetOutOfRange);
  EXPECT_EQ(store_->Read("orders", 0, -1, 1 << 20).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(AppendReadTest, EmptyPartition) {
  OpenStore();
  MustCreate("orders", 2);
  absl::StatusOr<ReadResult> read = store_->Read("orders", 1, 0, 100);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->batches.empty());
  EXPECT_EQ(store_->Read("orders", 1, 1, 100).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_->OffsetForTimestamp("orders", 1, 0).value(), -1);
}

TEST_F(AppendReadTest, OffsetForTimestamp) {
  OpenStore();
  MustCreate("orders", 1);
  // Batches of 2 records at 0, 2, 4, 6 with max timestamps 100, 300, 200, 400.
  for (int64_t ts : {100, 300, 200, 400}) {
    ASSERT_TRUE(store_->AppendAndWait("orders", 0, "b", Fields(2, ts)).ok());
  }
  auto lookup = [&](int64_t ts) { return store_->OffsetForTimestamp("orders", 0, ts).value(); };
  EXPECT_EQ(lookup(0), 0);
  EXPECT_EQ(lookup(100), 0);
  EXPECT_EQ(lookup(101), 2);
  EXPECT_EQ(lookup(250), 2);
  EXPECT_EQ(lookup(301), 6);
  EXPECT_EQ(lookup(400), 6);
  EXPECT_EQ(lookup(401), -1);
}

TEST_F(AppendReadTest, CommitListenerSeesEachAdvance) {
  OpenStore();
  MustCreate("orders", 2);
  Mutex mu;
  std::vector<std::tuple<TopicId, PartitionId, Offset>> calls;
  store_->SetCommitListener([&](TopicId topic, PartitionId partition, Offset hw) {
    MutexLock lock(&mu);
    calls.emplace_back(topic, partition, hw);
  });
  TopicId id = store_->GetTopic("orders")->id;
  ASSERT_TRUE(store_->AppendAndWait("orders", 1, "a", Fields(3)).ok());
  ASSERT_TRUE(store_->AppendAndWait("orders", 1, "b", Fields(2)).ok());
  ASSERT_TRUE(store_->AppendAndWait("orders", 0, "c", Fields(1)).ok());
  // AppendAndWait returns from the callback; the listener runs right after it.
  ASSERT_TRUE(WaitFor(mu, [&] { return calls.size() == 3; }));
  MutexLock lock(&mu);
  EXPECT_EQ(calls[0], std::make_tuple(id, PartitionId{1}, Offset{3}));
  EXPECT_EQ(calls[1], std::make_tuple(id, PartitionId{1}, Offset{5}));
  EXPECT_EQ(calls[2], std::make_tuple(id, PartitionId{0}, Offset{1}));
}

TEST_F(AppendReadTest, HighWatermarkIsVisibleWhenCallbackRuns) {
  OpenStore();
  MustCreate("orders", 1);
  Mutex mu;
  bool done = false;
  absl::StatusOr<PartitionOffsets> seen;
  store_->Append("orders", 0, "x", Fields(4), [&](absl::StatusOr<AppendResult> r) {
    absl::StatusOr<PartitionOffsets> offsets = store_->GetOffsets("orders", 0);
    MutexLock lock(&mu);
    seen = offsets;
    done = true;
  });
  ASSERT_TRUE(WaitFor(mu, [&] { return done; }));
  MutexLock lock(&mu);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->high_watermark, 4);
}

class FsyncPolicyTest : public testing::StoreTest,
                        public ::testing::WithParamInterface<FsyncPolicy> {};

TEST_P(FsyncPolicyTest, AppendsAndReadsBackAcrossRestart) {
  options_.fsync = GetParam();
  options_.fsync_interval = absl::Milliseconds(5);
  OpenStore();
  MustCreate("orders", 2);
  Mutex mu;
  int completed = 0;
  for (int i = 0; i < 200; ++i) {
    store_->Append("orders", i % 2, MakeBatch(1000, i), Fields(1), [&](auto r) {
      EXPECT_TRUE(r.ok()) << r.status();
      MutexLock lock(&mu);
      ++completed;
    });
  }
  ASSERT_TRUE(WaitFor(mu, [&] { return completed == 200; }));
  for (int round = 0; round < 2; ++round) {
    for (PartitionId p = 0; p < 2; ++p) {
      absl::StatusOr<ReadResult> read = store_->Read("orders", p, 0, 1 << 30);
      ASSERT_TRUE(read.ok()) << read.status();
      ASSERT_EQ(read->batches.size(), 100u);
      for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(read->batches[i].data, MakeBatch(1000, 2 * i + p));
      }
    }
    CloseStore();
    OpenStore();
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, FsyncPolicyTest,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval,
                                           FsyncPolicy::kNever),
                         [](const ::testing::TestParamInfo<FsyncPolicy>& info) {
                           return std::string(FsyncPolicyName(info.param));
                         });

TEST_F(AppendReadTest, LargeBatchesAndSmallGroupBound) {
  options_.max_group_commit_bytes = 1;  // every group holds exactly one append
  OpenStore();
  MustCreate("orders", 1);
  Mutex mu;
  int completed = 0;
  for (int i = 0; i < 20; ++i) {
    store_->Append("orders", 0, MakeBatch(100 << 10, i), Fields(10), [&](auto r) {
      EXPECT_TRUE(r.ok()) << r.status();
      MutexLock lock(&mu);
      ++completed;
    });
  }
  ASSERT_TRUE(WaitFor(mu, [&] { return completed == 20; }));
  absl::StatusOr<ReadResult> read = store_->Read("orders", 0, 55, 250 << 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->batches.size(), 2u);
  EXPECT_EQ(read->batches[0].base_offset, 50);
  EXPECT_EQ(read->batches[0].data, MakeBatch(100 << 10, 5));
  EXPECT_EQ(read->batches[1].base_offset, 60);
}

}  // namespace
}  // namespace choreo::storage
