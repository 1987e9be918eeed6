// Restart recovery, corruption detection, the log start offset, and shutdown with work in flight.
#include <absl/container/flat_hash_map.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "tests/storage/raw_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::MakeBatch;
using testing::RawDb;
using testing::WaitFor;

class RecoveryTest : public testing::StoreTest {
 protected:
  // Ten batches of 3 records (offsets 0..29) in orders/1, then the store is closed.
  TopicId WriteTenBatchesAndClose() {
    OpenStore();
    TopicId id = MustCreate("orders", 2).id;
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<AppendResult> r =
          store_->AppendAndWait("orders", 1, MakeBatch(200, i), Fields(3, 100 * i));
      EXPECT_TRUE(r.ok()) << r.status();
    }
    CloseStore();
    return id;
  }
};

TEST_F(RecoveryTest, RestartKeepsOffsetsAndContinuesDensely) {
  WriteTenBatchesAndClose();
  LogStore& store = OpenStore();
  absl::StatusOr<PartitionOffsets> offsets = store.GetOffsets("orders", 1);
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets->high_watermark, 30);
  EXPECT_EQ(store.GetOffsets("orders", 0)->high_watermark, 0);
  absl::StatusOr<ReadResult> read = store.Read("orders", 1, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->batches.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(read->batches[i].base_offset, 3 * i);
    EXPECT_EQ(read->batches[i].data, MakeBatch(200, i));
  }
  absl::StatusOr<AppendResult> next = store.AppendAndWait("orders", 1, "more", Fields(2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->base_offset, 30);
  absl::StatusOr<AppendResult> other = store.AppendAndWait("orders", 0, "other", Fields(1));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->base_offset, 0);
}

TEST_F(RecoveryTest, DestructorClosesCleanly) {
  OpenStore();
  MustCreate("orders", 1);
  ASSERT_TRUE(store_->AppendAndWait("orders", 0, "x", Fields(5)).ok());
  store_.reset();  // no Close()
  EXPECT_EQ(OpenStore().GetOffsets("orders", 0)->high_watermark, 5);
}

TEST_F(RecoveryTest, FlippedByteIsDataLoss) {
  TopicId id = WriteTenBatchesAndClose();
  {
    RawDb raw(options_.data_dir);
    std::string key(AsStringView(EncodeRecordKey(id, 1, 12)));
    std::string value = raw.Get(raw.records(), key);
    value[value.size() / 2] ^= 0x01;
    raw.Put(raw.records(), key, value);
  }
  LogStore& store = OpenStore();
  for (Offset offset : {Offset{0}, Offset{12}, Offset{13}}) {
    absl::StatusOr<ReadResult> read = store.Read("orders", 1, offset, 1 << 20);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << offset;
    EXPECT_EQ(StoreErrorKindOf(read.status()), StoreErrorKind::kCorruptData);
    EXPECT_NE(read.status().message().find("'orders' partition 1 at offset 12"),
              absl::string_view::npos)
        << read.status();
  }
  // Batches before and after the damaged one stay readable.
  absl::StatusOr<ReadResult> before = store.Read("orders", 1, 0, 1);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->batches.size(), 1u);
  absl::StatusOr<ReadResult> after = store.Read("orders", 1, 15, 1 << 20);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->batches.size(), 5u);
  EXPECT_EQ(store.OffsetForTimestamp("orders", 1, 1000).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(RecoveryTest, TruncatedValueIsDataLoss) {
  TopicId id = WriteTenBatchesAndClose();
  {
    RawDb raw(options_.data_dir);
    std::string key(AsStringView(EncodeRecordKey(id, 1, 3)));
    raw.Put(raw.records(), key, raw.Get(raw.records(), key).substr(0, 50));
    std::string header_only(AsStringView(EncodeRecordKey(id, 1, 6)));
    raw.Put(raw.records(), header_only, raw.Get(raw.records(), header_only).substr(0, 20));
  }
  LogStore& store = OpenStore();
  absl::StatusOr<ReadResult> read = store.Read("orders", 1, 4, 1 << 20);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
  EXPECT_EQ(store.Read("orders", 1, 6, 1 << 20).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(RecoveryTest, UnreadableLastBatchFailsOpen) {
  TopicId id = WriteTenBatchesAndClose();
  {
    RawDb raw(options_.data_dir);
    std::string key(AsStringView(EncodeRecordKey(id, 1, 27)));
    raw.Put(raw.records(), key, "short");
  }
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("'orders' partition 1 at offset 27"),
            absl::string_view::npos)
      << store.status();
}

TEST_F(RecoveryTest, LogStartOffsetBoundsReads) {
  TopicId id = WriteTenBatchesAndClose();
  {
    // What retention will do: move the log start to a batch boundary, then drop what is below.
    RawDb raw(options_.data_dir);
    raw.Put(raw.meta(), LogStartMetaKey(id, 1), EncodeLogStart({.offset = 9}));
    raw.DeleteRange(raw.records(), AsStringView(EncodeRecordKey(id, 1, 0)),
                    AsStringView(EncodeRecordKey(id, 1, 9)));
  }
  LogStore& store = OpenStore();
  absl::StatusOr<PartitionOffsets> offsets = store.GetOffsets("orders", 1);
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets->log_start_offset, 9);
  EXPECT_EQ(offsets->high_watermark, 30);
  absl::StatusOr<ReadResult> below = store.Read("orders", 1, 8, 1 << 20);
  EXPECT_EQ(StoreErrorKindOf(below.status()), StoreErrorKind::kOffsetOutOfRange);
  absl::StatusOr<ReadResult> at = store.Read("orders", 1, 9, 1 << 20);
  ASSERT_TRUE(at.ok()) << at.status();
  ASSERT_EQ(at->batches.size(), 7u);
  EXPECT_EQ(at->batches[0].base_offset, 9);
  EXPECT_EQ(at->offsets.log_start_offset, 9);
  EXPECT_EQ(store.OffsetForTimestamp("orders", 1, 0).value(), 9);
  absl::StatusOr<AppendResult> next = store.AppendAndWait("orders", 1, "x", Fields(1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->base_offset, 30);
  EXPECT_EQ(next->log_start_offset, 9);
}

TEST_F(RecoveryTest, PartitionTrimmedToEmptyContinuesAtLogStart) {
  TopicId id = WriteTenBatchesAndClose();
  {
    RawDb raw(options_.data_dir);
    raw.Put(raw.meta(), LogStartMetaKey(id, 1), EncodeLogStart({.offset = 30}));
    raw.DeleteRange(raw.records(), AsStringView(EncodeRecordKey(id, 1, 0)),
                    AsStringView(EncodeRecordKey(id, 1, 30)));
  }
  LogStore& store = OpenStore();
  EXPECT_EQ(store.GetOffsets("orders", 1)->high_watermark, 30);
  absl::StatusOr<AppendResult> next = store.AppendAndWait("orders", 1, "x", Fields(1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->base_offset, 30);
}

// Holds the committer thread inside an append callback, so that later appends stay queued.
class CommitterGate {
 public:
  AppendCallback Blocker() {
    return [this](absl::StatusOr<AppendResult> r) {
      EXPECT_TRUE(r.ok()) << r.status();
      entered_.Notify();
      release_.WaitForNotification();
    };
  }
  void WaitUntilBlocked() { entered_.WaitForNotification(); }
  void Release() { release_.Notify(); }

 private:
  Notification entered_;
  Notification release_;
};

TEST_F(RecoveryTest, CloseCommitsQueuedAppendsAndRefusesNewOnes) {
  OpenStore();
  MustCreate("orders", 2);
  CommitterGate gate;
  store_->Append("orders", 0, "first", Fields(1), gate.Blocker());
  gate.WaitUntilBlocked();

  constexpr int kQueued = 50;
  std::vector<std::atomic<int>> calls(kQueued);
  std::vector<Offset> bases(kQueued, -1);
  for (int i = 0; i < kQueued; ++i) {
    store_->Append("orders", i % 2, MakeBatch(100, i), Fields(2),
                   [&, i](absl::StatusOr<AppendResult> r) {
                     calls[i].fetch_add(1);
                     EXPECT_TRUE(r.ok()) << r.status();
                     if (r.ok()) bases[i] = r->base_offset;
                   });
  }
  absl::Status close_status;
  std::thread closer([&] { close_status = store_->Close(); });
  // Appends made before Close() begins are queued (and committed by it); once it has begun they
  // fail at once, on the calling thread.
  std::atomic<int> late_ok{0};
  std::atomic<int> late_closed{0};
  while (late_closed.load() == 0) {
    store_->Append("orders", 0, "late", Fields(1), [&](absl::StatusOr<AppendResult> r) {
      if (r.ok()) {
        late_ok.fetch_add(1);
      } else {
        EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kClosed) << r.status();
        late_closed.fetch_add(1);
      }
    });
  }
  gate.Release();
  closer.join();
  ASSERT_TRUE(close_status.ok()) << close_status;
  for (int i = 0; i < kQueued; ++i) {
    EXPECT_EQ(calls[i].load(), 1) << i;
    EXPECT_EQ(bases[i], i % 2 == 0 ? 1 + i : i - 1) << i;  // partition 0 starts after "first"
  }
  LogStore& store = OpenStore();
  EXPECT_EQ(store.GetOffsets("orders", 0)->high_watermark, 1 + 2 * kQueued / 2 + late_ok.load());
  EXPECT_EQ(store.GetOffsets("orders", 1)->high_watermark, 2 * kQueued / 2);
}

TEST_F(RecoveryTest, CloseWhileManyThreadsAppendRunsEveryCallbackOnce) {
  OpenStore();
  MustCreate("orders", 3);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  Mutex mu;
  int submitted = 0;
  absl::flat_hash_map<PartitionId, std::vector<std::pair<Offset, uint32_t>>> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int index = t * kPerThread + i;
        PartitionId partition = index % 3;
        uint32_t records = 1 + i % 3;
        store_->Append("orders", partition, MakeBatch(512, index), Fields(records),
                       [&, index, partition, records](absl::StatusOr<AppendResult> r) {
                         calls[index].fetch_add(1);
                         MutexLock lock(&mu);
                         if (r.ok()) {
                           acked[partition].emplace_back(r->base_offset, records);
                         } else {
                           EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kClosed)
                               << r.status();
                         }
                       });
        MutexLock lock(&mu);
        ++submitted;
      }
    });
  }
  // Close once appends are flowing, while others are still being submitted.
  ASSERT_TRUE(WaitFor(mu, [&] { return submitted >= kThreads * kPerThread / 4; }));
  ASSERT_TRUE(store_->Close().ok());
  for (std::thread& thread : threads)
    thread.join();
  for (size_t i = 0; i < calls.size(); ++i)
    ASSERT_EQ(calls[i].load(), 1) << "append " << i;

  // Everything acknowledged is durable and dense after a restart.
  LogStore& store = OpenStore();
  MutexLock lock(&mu);
  for (PartitionId p = 0; p < 3; ++p) {
    std::vector<std::pair<Offset, uint32_t>>& list = acked[p];
    std::sort(list.begin(), list.end());
    Offset next = 0;
    for (auto [base, records] : list) {
      EXPECT_EQ(base, next);
      next = base + records;
    }
    EXPECT_EQ(store.GetOffsets("orders", p)->high_watermark, next);
  }
}

TEST_F(RecoveryTest, DeleteTopicFailsItsQueuedAppends) {
  OpenStore();
  MustCreate("orders", 2);
  MustCreate("keep", 1);
  CommitterGate gate;
  store_->Append("keep", 0, "first", Fields(1), gate.Blocker());
  gate.WaitUntilBlocked();

  Mutex mu;
  int unknown = 0;
  int kept = 0;
  for (int i = 0; i < 20; ++i) {
    store_->Append("orders", i % 2, MakeBatch(64, i), Fields(1), [&](auto r) {
      EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kUnknownTopic) << r.status();
      MutexLock lock(&mu);
      ++unknown;
    });
    store_->Append("keep", 0, MakeBatch(64, i), Fields(1), [&](auto r) {
      EXPECT_TRUE(r.ok()) << r.status();
      MutexLock lock(&mu);
      ++kept;
    });
  }
  // The committer is inside a callback, not inside a group commit, so the delete goes ahead.
  ASSERT_TRUE(store_->DeleteTopic("orders").ok());
  gate.Release();
  ASSERT_TRUE(WaitFor(mu, [&] { return unknown == 20 && kept == 20; }));
  CloseStore();
  {
    RawDb raw(options_.data_dir);
    EXPECT_EQ(raw.CountKeys(raw.records()), 21);  // only the "keep" batches
  }
  LogStore& store = OpenStore();
  EXPECT_EQ(store.ListTopics().size(), 1u);
  EXPECT_EQ(store.GetOffsets("keep", 0)->high_watermark, 21);
}

TEST_F(RecoveryTest, DeleteTopicWhileAppendsStream) {
  OpenStore();
  MustCreate("orders", 2);
  constexpr int kAppends = 2000;
  std::vector<std::atomic<int>> calls(kAppends);
  Mutex mu;
  int submitted = 0;
  std::thread appender([&] {
    for (int i = 0; i < kAppends; ++i) {
      store_->Append(
          "orders", i % 2, MakeBatch(256, i), Fields(1), [&, i](absl::StatusOr<AppendResult> r) {
            calls[i].fetch_add(1);
            if (!r.ok()) {
              EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kUnknownTopic) << r.status();
            }
          });
      MutexLock lock(&mu);
      ++submitted;
    }
  });
  ASSERT_TRUE(WaitFor(mu, [&] { return submitted >= kAppends / 4; }));
  ASSERT_TRUE(store_->DeleteTopic("orders").ok());
  appender.join();
  ASSERT_TRUE(store_->Close().ok());  // drains the queue: every callback has run
  for (int i = 0; i < kAppends; ++i)
    ASSERT_EQ(calls[i].load(), 1) << "append " << i;
  {
    RawDb raw(options_.data_dir);
    EXPECT_EQ(raw.CountKeys(raw.records()), 0);
  }
  LogStore& store = OpenStore();
  EXPECT_TRUE(store.ListTopics().empty());
}

}  // namespace
}  // namespace choreo::storage
