// Power loss: what each fsync policy keeps when the machine (not just the process) dies.
//
// Several idempotent producers append to several partitions with batches in flight, a consumer
// group commits offsets, and meanwhile PowerCutFileSystem takes a crash image of the data
// directory (only what was fsynced, and only files whose directory entry was fsynced). The image
// is then opened as the machine would find it after rebooting, and checked:
//   - always:   every acknowledged batch is there, at its acknowledged offset;
//   - interval: every batch acknowledged before the second-to-last completed periodic WAL sync
//               is there (what was acknowledged in the last interval may be lost);
//   - all:      the log is dense, every stored batch is whole and one the producers sent, each
//               producer's batches are a prefix of what it sent (no gaps, no duplicates),
//               committed group offsets are within the log, and a producer resending after the
//               crash gets its stored batches answered as duplicates at their offsets and the
//               lost ones appended (not refused as duplicates of batches that no longer exist);
//   - never:    the same consistency; what survives is whatever RocksDB itself synced (closed WAL
//               files before a flush, SST files), which the test reports but cannot bound.
#include <absl/strings/str_cat.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "choreo/storage/store_observer.h"
#include "tests/storage/power_cut_file_system.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::MakeBatch;
using testing::PowerCutFileSystem;

constexpr int kProducers = 4;
constexpr int kInFlight = 4;  // batches each producer has outstanding at once
const std::vector<std::pair<std::string, uint32_t>> kTopics = {{"orders", 3}, {"payments", 2}};
constexpr char kGroup[] = "billing";

// One batch a producer sent: the payload names producer, partition and sequence, so a stored
// batch can be traced back to exactly one send.
struct Sent {
  int32_t sequence = 0;
  uint32_t records = 0;
  std::string payload;
  bool acked = false;
  Offset offset = -1;
  uint64_t ack_number = 0;  // order of acknowledgement across the whole test, from 1
};

struct PartitionKey {
  std::string topic;
  PartitionId partition = 0;
  bool operator<(const PartitionKey& o) const {
    return std::tie(topic, partition) < std::tie(o.topic, o.partition);
  }
};

// Everything the workload did, as seen by its callers. Every field is guarded by `mu` (not
// annotated: the checks run in lambdas that WaitFor calls with `mu` held).
struct History {
  Mutex mu;
  // [producer][partition] -> batches in send order.
  std::map<int, std::map<PartitionKey, std::vector<Sent>>> sent;
  std::vector<ProducerIdentity> producers;
  uint64_t acks = 0;
  std::vector<std::string> errors;
  // The last group-offset commit that returned OK, per partition; and the same as of the cut.
  std::map<PartitionKey, Offset> committed;
  std::map<PartitionKey, Offset> committed_at_cut;
  // Interval syncs: acks certainly covered by the last completed sync (see OnWalSync).
  int syncs = 0;
  uint64_t acks_at_previous_sync = 0;
  uint64_t covered_acks = 0;
};

// A sync begins after the previous one's report returned, so every batch acknowledged before
// sync k-1 reported was written before sync k began: sync k covers it.
class SyncRecorder : public StoreObserver {
 public:
  explicit SyncRecorder(History& history) : history_(history) {}
  void OnGroupCommit(const GroupCommitStats&) override {}
  void OnWalSync(absl::Duration, bool ok) override {
    MutexLock lock(&history_.mu);
    if (!ok) {
      history_.errors.push_back("a periodic WAL sync failed");
      return;
    }
    ++history_.syncs;
    history_.covered_acks = history_.acks_at_previous_sync;
    history_.acks_at_previous_sync = history_.acks;
  }

 private:
  History& history_;
};

std::vector<PartitionKey> AllPartitions() {
  std::vector<PartitionKey> all;
  for (const auto& [topic, count] : kTopics)
    for (uint32_t p = 0; p < count; ++p)
      all.push_back({topic, p});
  return all;
}

std::string Payload(int producer, const PartitionKey& key, int32_t sequence, size_t size) {
  std::string head =
      absl::StrCat("p", producer, "/", key.topic, "/", key.partition, "/s", sequence, "|");
  return head + MakeBatch(size, static_cast<uint64_t>(producer * 1000003 + sequence));
}

class PowerLossTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    fs_ = std::make_shared<PowerCutFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.env = env_.get();
    // Small memtables: the workload switches WAL files and flushes several times per run.
    options_.write_buffer_bytes = 512 << 10;
  }
  void TearDown() override {
    StoreTest::TearDown();
    env_.reset();
  }

  // Runs the workload until `enough` holds, cuts the power, stops it and returns the image.
  std::string RunAndCut(History& history, const std::function<bool(History&)>& enough) {
    LogStore& store = OpenStore();
    for (const auto& [topic, count] : kTopics)
      MustCreate(topic, count);
    {
      MutexLock lock(&history.mu);
      for (int i = 0; i < kProducers; ++i) {
        absl::StatusOr<ProducerIdentity> id = store.InitProducer(-1, 0, false);
        EXPECT_TRUE(id.ok()) << id.status();
        history.producers.push_back(id.value_or(ProducerIdentity{}));
      }
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kProducers; ++i)
      threads.emplace_back([&, i] { Produce(store, history, i, stop); });
    threads.emplace_back([&] { CommitOffsets(store, history, stop); });

    const bool reached = testing::WaitFor(
        history.mu,
        [&] {
          if (!enough(history)) return false;
          // Every commit recorded by now returned before the cut began.
          history.committed_at_cut = history.committed;
          return true;
        },
        absl::Seconds(120));
    EXPECT_TRUE(reached) << "the workload did not get far enough";
    const std::string image = dir_ + "/image";
    // The workload keeps running through the cut: it lands between arbitrary writes and syncs.
    absl::Status cut = fs_->CutPower(options_.data_dir, image);
    EXPECT_TRUE(cut.ok()) << cut;
    stop = true;
    for (std::thread& t : threads)
      t.join();
    CloseStore();
    return image;
  }

  // One producer: round-robin over the partitions, up to kInFlight batches outstanding.
  static void Produce(LogStore& store, History& history, int producer, std::atomic<bool>& stop) {
    ProducerIdentity id;
    {
      MutexLock lock(&history.mu);
      id = history.producers[producer];
    }
    std::counting_semaphore<kInFlight> slots(kInFlight);
    std::map<PartitionKey, int32_t> next_sequence;
    const std::vector<PartitionKey> partitions = AllPartitions();
    for (uint64_t n = 0; !stop; ++n) {
      slots.acquire();
      const PartitionKey& key = partitions[n % partitions.size()];
      const uint32_t records = 1 + static_cast<uint32_t>(n % 3);
      const int32_t sequence = next_sequence[key];
      next_sequence[key] += static_cast<int32_t>(records);
      std::string payload = Payload(producer, key, sequence, 1024 + (n * 997) % 6000);
      size_t index = 0;
      {
        MutexLock lock(&history.mu);
        auto& list = history.sent[producer][key];
        index = list.size();
        list.push_back(Sent{.sequence = sequence, .records = records, .payload = payload});
      }
      store.Append(key.topic, key.partition, std::move(payload),
                   BatchFields{.record_count = records,
                               .producer_id = id.producer_id,
                               .producer_epoch = id.epoch,
                               .base_sequence = sequence},
                   [&history, &slots, producer, key, index](absl::StatusOr<AppendResult> r) {
                     MutexLock lock(&history.mu);
                     if (r.ok()) {
                       Sent& sent = history.sent[producer][key][index];
                       sent.acked = true;
                       sent.offset = r->base_offset;
                       sent.ack_number = ++history.acks;
                     } else if (StoreErrorKindOf(r.status()) != StoreErrorKind::kClosed) {
                       history.errors.push_back(r.status().ToString());
                     }
                     slots.release();
                   });
    }
    for (int i = 0; i < kInFlight; ++i)
      slots.acquire();  // every callback has run
  }

  // A consumer group committing, per partition, the end of the highest acknowledged batch.
  static void CommitOffsets(LogStore& store, History& history, std::atomic<bool>& stop) {
    while (!stop) {
      std::vector<GroupOffset> offsets;
      {
        MutexLock lock(&history.mu);
        std::map<PartitionKey, Offset> ends;
        for (const auto& [producer, partitions] : history.sent)
          for (const auto& [key, list] : partitions)
            for (const Sent& s : list)
              if (s.acked) ends[key] = std::max(ends[key], s.offset + s.records);
        for (const auto& [key, end] : ends)
          offsets.push_back({.topic = key.topic, .partition = key.partition, .offset = end});
      }
      if (!offsets.empty() && store.CommitGroupOffsets(kGroup, offsets).ok()) {
        MutexLock lock(&history.mu);
        for (const GroupOffset& o : offsets)
          history.committed[{o.topic, o.partition}] = o.offset;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // pacing, not synchronization
    }
  }

  // Opens the image and checks everything the policies have in common. Sets `lost_acked` to how
  // many acknowledged batches are missing; those with ack_number <= `must_keep` fail the test.
  void CheckImage(const std::string& image, const History& snapshot_history, uint64_t must_keep,
                  uint64_t* lost_acked) {
    StoreOptions reopened = options_;
    reopened.data_dir = image;
    reopened.env = nullptr;  // the machine rebooted: a plain file system
    absl::StatusOr<std::unique_ptr<LogStore>> opened = LogStore::Open(reopened);
    ASSERT_TRUE(opened.ok()) << "the crash image does not open: " << opened.status();
    LogStore& store = **opened;
    History& history = const_cast<History&>(snapshot_history);
    MutexLock lock(&history.mu);

    // Which send each stored batch is, by payload.
    struct Where {
      int producer;
      size_t index;
    };
    std::map<std::string, Where> by_payload;
    for (const auto& [producer, partitions] : history.sent)
      for (const auto& [key, list] : partitions)
        for (size_t i = 0; i < list.size(); ++i)
          by_payload[list[i].payload] = {producer, i};

    std::map<int, std::map<PartitionKey, std::vector<Offset>>> stored;  // in log order
    std::map<PartitionKey, Offset> high_watermark;
    for (const PartitionKey& key : AllPartitions()) {
      absl::StatusOr<ReadResult> read = store.Read(key.topic, key.partition, 0, UINT64_MAX);
      ASSERT_TRUE(read.ok()) << read.status();
      Offset expected = 0;
      for (const StoredBatch& batch : read->batches) {
        ASSERT_EQ(batch.base_offset, expected) << "a gap in " << key.topic << "/" << key.partition;
        expected = batch.next_offset();
        auto it = by_payload.find(batch.data);
        ASSERT_NE(it, by_payload.end())
            << "a batch nobody sent (or a torn one) at " << batch.base_offset;
        const Sent& sent = history.sent[it->second.producer][key][it->second.index];
        ASSERT_EQ(batch.record_count, sent.records);
        if (sent.acked) {
          EXPECT_EQ(batch.base_offset, sent.offset) << "moved after the crash";
        }
        std::vector<Offset>& mine = stored[it->second.producer][key];
        ASSERT_EQ(mine.size(), it->second.index)
            << "producer " << it->second.producer << " has a gap or a duplicate in " << key.topic
            << "/" << key.partition;
        mine.push_back(batch.base_offset);
      }
      high_watermark[key] = expected;
      EXPECT_EQ(read->offsets.high_watermark, expected);
    }

    *lost_acked = 0;
    for (const auto& [producer, partitions] : history.sent) {
      for (const auto& [key, list] : partitions) {
        const size_t kept = stored[producer][key].size();
        for (size_t i = kept; i < list.size(); ++i) {
          if (!list[i].acked) continue;
          ++*lost_acked;
          EXPECT_GT(list[i].ack_number, must_keep)
              << "acknowledged batch lost: producer " << producer << " " << key.topic << "/"
              << key.partition << " sequence " << list[i].sequence << " (ack " << list[i].ack_number
              << ", " << must_keep << " must survive)";
        }
      }
    }

    // Committed offsets: within the log, and (those known to be committed) not lost.
    absl::StatusOr<std::vector<GroupOffset>> offsets = store.FetchGroupOffsets(kGroup);
    ASSERT_TRUE(offsets.ok()) << offsets.status();
    for (const GroupOffset& o : *offsets) {
      EXPECT_LE(o.offset, (high_watermark[PartitionKey{o.topic, o.partition}]))
          << "committed offset past the end of " << o.topic << "/" << o.partition;
    }
    if (options_.fsync != FsyncPolicy::kNever) {
      for (const auto& entry : history.committed_at_cut) {
        // Not a structured binding: clang 14 (the sanitizer builds) cannot capture one.
        const PartitionKey& key = entry.first;
        const Offset committed = entry.second;
        auto it = std::find_if(offsets->begin(), offsets->end(), [&](const GroupOffset& o) {
          return o.topic == key.topic && o.partition == key.partition;
        });
        ASSERT_NE(it, offsets->end()) << "a committed offset was lost";
        EXPECT_GE(it->offset, committed);
      }
    }

    // Every producer resends what it has not seen acknowledged, oldest first, as a client does
    // after reconnecting; and also the last few stored batches, whose answers it may have missed.
    for (const auto& [producer, partitions] : history.sent) {
      const ProducerIdentity id = history.producers[producer];
      absl::StatusOr<ProducerIdentity> known = store.InitProducer(id.producer_id, id.epoch, false);
      if (!known.ok()) {
        // Only a policy that does not sync InitProducer may lose a producer id.
        EXPECT_EQ(options_.fsync, FsyncPolicy::kNever) << known.status();
        continue;
      }
      for (const auto& [key, list] : partitions) {
        const std::vector<Offset>& mine = stored[producer][key];
        Offset end = high_watermark[key];
        for (size_t i = mine.size() >= 5 ? mine.size() - 5 : 0; i < list.size(); ++i) {
          absl::StatusOr<AppendResult> r =
              store.AppendAndWait(key.topic, key.partition, list[i].payload,
                                  BatchFields{.record_count = list[i].records,
                                              .producer_id = id.producer_id,
                                              .producer_epoch = id.epoch,
                                              .base_sequence = list[i].sequence});
          ASSERT_TRUE(r.ok()) << "resending producer " << producer << " " << key.topic << "/"
                              << key.partition << " sequence " << list[i].sequence << ": "
                              << r.status();
          if (i < mine.size()) {
            EXPECT_TRUE(r->duplicate);
            EXPECT_EQ(r->base_offset, mine[i]);
          } else {
            EXPECT_FALSE(r->duplicate) << "a lost batch was taken for a duplicate";
            EXPECT_EQ(r->base_offset, end);
            end += list[i].records;
          }
        }
        high_watermark[key] = end;
      }
    }
    EXPECT_TRUE(store.Close().ok());
  }

  std::shared_ptr<PowerCutFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

// Copies what CheckImage needs (the workload's threads are gone by then).
uint64_t AckedBatches(History& history) {
  MutexLock lock(&history.mu);
  return history.acks;
}

TEST_F(PowerLossTest, AlwaysKeepsEveryAcknowledgedBatch) {
  options_.fsync = FsyncPolicy::kAlways;
  for (uint64_t cut_after : {300u, 1500u}) {
    SCOPED_TRACE(absl::StrCat("cut after ", cut_after, " acknowledgements"));
    History history;
    uint64_t acked_at_cut = 0;
    const std::string image = RunAndCut(history, [&](History& h) {
      // Recorded inside the wait's critical section: everything counted was acknowledged before
      // the cut began.
      acked_at_cut = h.acks;
      return h.acks >= cut_after;
    });
    {
      MutexLock lock(&history.mu);
      EXPECT_TRUE(history.errors.empty()) << history.errors.front();
    }
    uint64_t lost = 0;  // acknowledged after the cut began: allowed to be missing
    CheckImage(image, history, acked_at_cut, &lost);
    RecordProperty(absl::StrCat("acked_after_cut_missing_", cut_after), static_cast<int>(lost));
    RecordProperty(absl::StrCat("bytes_cut_after_", cut_after),
                   static_cast<int>(fs_->last_cut().bytes_lost));
    std::filesystem::remove_all(image);
    std::filesystem::remove_all(options_.data_dir);
  }
}

TEST_F(PowerLossTest, IntervalLosesAtMostTheLastInterval) {
  options_.fsync = FsyncPolicy::kInterval;
  options_.fsync_interval = absl::Milliseconds(20);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    History history;
    SyncRecorder recorder(history);
    options_.observer = &recorder;
    uint64_t covered = 0;
    const std::string image = RunAndCut(history, [&](History& h) {
      covered = h.covered_acks;
      return h.syncs >= 3 + round * 4 && h.acks >= 200u;
    });
    options_.observer = nullptr;
    {
      MutexLock lock(&history.mu);
      EXPECT_TRUE(history.errors.empty()) << history.errors.front();
    }
    uint64_t lost = 0;
    CheckImage(image, history, covered, &lost);
    RecordProperty(absl::StrCat("lost_acked_round_", round), static_cast<int>(lost));
    std::filesystem::remove_all(image);
    std::filesystem::remove_all(options_.data_dir);
  }
}

TEST_F(PowerLossTest, NeverStaysConsistent) {
  options_.fsync = FsyncPolicy::kNever;
  History history;
  const std::string image = RunAndCut(history, [](History& h) { return h.acks >= 1500u; });
  uint64_t lost = 0;
  CheckImage(image, history, /*must_keep=*/0, &lost);
  RecordProperty("lost_acked", static_cast<int>(lost));
  RecordProperty("acked", static_cast<int>(AckedBatches(history)));
}

}  // namespace
}  // namespace choreo::storage
