// Scheduled events (LogStore::ScheduleEvent and the delivery calls): stored durably, handed out
// when due in due order, delivered once (the append and the removal are one write), cancellable,
// and still there after a restart, whether they were taken, delivered or neither.
#include <absl/cleanup/cleanup.h>
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "choreo/storage/errors.h"
#include "choreo/storage/log_store.h"
#include "storage/scheduled_format.h"
#include "tests/storage/full_disk_file_system.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::FullDiskFileSystem;
using testing::StoreTest;

class ScheduledEventsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    fs_ = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.env = env_.get();
    OpenStore();
    MustCreate("timeouts", 2);
  }
  void TearDown() override {
    StoreTest::TearDown();  // closes the store before the env goes away
  }

  absl::StatusOr<ScheduleResult> Schedule(const std::string& id, int64_t due_ms,
                                          uint32_t partition = 0, std::string batch = "") {
    return store_->ScheduleEvent(ScheduledEvent{.id = id,
                                                .due_ms = due_ms,
                                                .topic = "timeouts",
                                                .partition = partition,
                                                .batch = batch.empty() ? "batch:" + id : batch,
                                                .fields = Fields(1, due_ms)});
  }

  std::vector<DueEvent> Take(int64_t now_ms, size_t limit = 100) {
    absl::StatusOr<std::vector<DueEvent>> due = store_->TakeDueEvents(now_ms, limit);
    EXPECT_TRUE(due.ok()) << due.status();
    return due.ok() ? *std::move(due) : std::vector<DueEvent>{};
  }

  absl::StatusOr<AppendResult> Deliver(DueEvent event, std::optional<BatchFields> fields) {
    std::promise<absl::StatusOr<AppendResult>> outcome;
    store_->DeliverDueEvent(std::move(event), std::move(fields),
                            [&](absl::StatusOr<AppendResult> r) { outcome.set_value(r); });
    return outcome.get_future().get();
  }

  // The batches of `partition`, as strings.
  std::vector<std::string> Log(uint32_t partition = 0) {
    std::vector<std::string> out;
    absl::StatusOr<ReadResult> read = store_->Read("timeouts", partition, 0, 1 << 20);
    EXPECT_TRUE(read.ok()) << read.status();
    if (read.ok()) {
      for (const StoredBatch& b : read->batches)
        out.push_back(b.data);
    }
    return out;
  }

  std::vector<std::string> Ids(const std::vector<DueEvent>& events) {
    std::vector<std::string> ids;
    for (const DueEvent& e : events)
      ids.push_back(e.id);
    return ids;
  }

  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(ScheduledEventsTest, DueEventsAreHandedOutInDueOrderAndDeliveredOnce) {
  ASSERT_TRUE(Schedule("c", 300).ok());
  ASSERT_TRUE(Schedule("a", 100).ok());
  ASSERT_TRUE(Schedule("b", 200, 1).ok());
  EXPECT_EQ(store_->PendingScheduledEvents(), 3u);
  EXPECT_EQ(*store_->NextDueTime(), std::optional<int64_t>(100));

  EXPECT_TRUE(Take(99).empty());
  std::vector<DueEvent> due = Take(250);
  ASSERT_EQ(Ids(due), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(due[0].due_ms, 100);
  EXPECT_EQ(due[0].topic, "timeouts");
  EXPECT_EQ(due[1].partition, 1u);
  EXPECT_EQ(due[0].batch, "batch:a");
  // Taken events are reserved: not handed out twice.
  EXPECT_TRUE(Take(250).empty());

  absl::StatusOr<AppendResult> a = Deliver(due[0], Fields(1, 100));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->base_offset, 0);
  ASSERT_TRUE(Deliver(due[1], Fields(1, 200)).ok());
  EXPECT_EQ(Log(0), std::vector<std::string>{"batch:a"});
  EXPECT_EQ(Log(1), std::vector<std::string>{"batch:b"});
  EXPECT_EQ(store_->PendingScheduledEvents(), 1u);
  EXPECT_EQ(*store_->NextDueTime(), std::optional<int64_t>(300));
  EXPECT_TRUE(Take(250).empty());
  EXPECT_EQ(Ids(Take(1000)), std::vector<std::string>{"c"});
}

TEST_F(ScheduledEventsTest, SchedulingAPendingIdAgainWritesNothing) {
  ASSERT_TRUE(Schedule("timer", 500).ok());
  absl::StatusOr<ScheduleResult> again = Schedule("timer", 900, 0, "other");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_scheduled);
  EXPECT_EQ(again->due_ms, 500);
  EXPECT_EQ(store_->PendingScheduledEvents(), 1u);
  std::vector<DueEvent> due = Take(1000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].batch, "batch:timer");
  ASSERT_TRUE(Deliver(due[0], Fields(1)).ok());
  // Once delivered, the id may be scheduled again: a new timer of the same name is a new event.
  absl::StatusOr<ScheduleResult> rearmed = Schedule("timer", 2000);
  ASSERT_TRUE(rearmed.ok());
  EXPECT_FALSE(rearmed->already_scheduled);
}

TEST_F(ScheduledEventsTest, CancelRemovesAPendingEventOnce) {
  ASSERT_TRUE(Schedule("payment-timeout/o-1", 100).ok());
  ASSERT_TRUE(Schedule("payment-timeout/o-2", 100).ok());
  EXPECT_EQ(*store_->CancelScheduledEvent("payment-timeout/o-1"), CancelOutcome::kCancelled);
  // A repeated cancel (a retry, a redelivered handler) learns that it was cancelled.
  EXPECT_EQ(*store_->CancelScheduledEvent("payment-timeout/o-1"), CancelOutcome::kAlreadyCancelled);
  EXPECT_EQ(*store_->CancelScheduledEvent("never-scheduled"), CancelOutcome::kNotFound);
  EXPECT_EQ(store_->PendingScheduledEvents(), 1u);
  EXPECT_EQ(Ids(Take(1000)), std::vector<std::string>{"payment-timeout/o-2"});
}

TEST_F(ScheduledEventsTest, CancelAfterDeliveryFindsNothing) {
  ASSERT_TRUE(Schedule("t", 100).ok());
  std::vector<DueEvent> due = Take(100);
  ASSERT_EQ(due.size(), 1u);
  ASSERT_TRUE(Deliver(due[0], Fields(1)).ok());
  EXPECT_EQ(*store_->CancelScheduledEvent("t"), CancelOutcome::kDelivered);
  EXPECT_EQ(Log().size(), 1u);
  // Remembered across a restart.
  CloseStore();
  OpenStore();
  EXPECT_EQ(*store_->CancelScheduledEvent("t"), CancelOutcome::kDelivered);
  EXPECT_EQ(store_->PendingScheduledEvents(), 0u);
}

// A cancel that meets a delivery in progress waits for it, then finds nothing: exactly one of the
// two wins, whichever order the threads run in.
TEST_F(ScheduledEventsTest, CancelRacingWithDeliveryHasExactlyOneWinner) {
  for (int round = 0; round < 20; ++round) {
    const std::string id = "race-" + std::to_string(round);
    ASSERT_TRUE(Schedule(id, 100).ok());
    std::vector<DueEvent> due = Take(100);
    std::future<absl::StatusOr<CancelOutcome>> cancelled =
        std::async(std::launch::async, [&] { return store_->CancelScheduledEvent(id); });
    bool delivered = false;
    if (!due.empty()) {
      ASSERT_EQ(due.size(), 1u);
      delivered = Deliver(due[0], Fields(1)).ok();
    }
    absl::StatusOr<CancelOutcome> c = cancelled.get();
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(*c, delivered ? CancelOutcome::kDelivered : CancelOutcome::kCancelled)
        << "round " << round;
    EXPECT_TRUE(delivered) << "taken first, so the delivery wins";
  }
  EXPECT_EQ(Log().size(), 20u);
  EXPECT_EQ(store_->PendingScheduledEvents(), 0u);

  // The other order: cancelled before the delivery pass looks, nothing is handed out.
  ASSERT_TRUE(Schedule("late", 100).ok());
  EXPECT_EQ(*store_->CancelScheduledEvent("late"), CancelOutcome::kCancelled);
  EXPECT_TRUE(Take(100).empty());
}

TEST_F(ScheduledEventsTest, PendingTakenAndDeliveredEventsSurviveARestart) {
  ASSERT_TRUE(Schedule("delivered", 100).ok());
  ASSERT_TRUE(Schedule("taken", 200).ok());
  ASSERT_TRUE(Schedule("pending", 5000).ok());
  std::vector<DueEvent> due = Take(100);
  ASSERT_EQ(Ids(due), std::vector<std::string>{"delivered"});
  ASSERT_TRUE(Deliver(due[0], Fields(1)).ok());
  ASSERT_EQ(Ids(Take(200)), std::vector<std::string>{"taken"});  // never delivered: a crash
  CloseStore();

  OpenStore();
  EXPECT_EQ(store_->PendingScheduledEvents(), 2u);
  EXPECT_EQ(*store_->NextDueTime(), std::optional<int64_t>(200));
  EXPECT_EQ(Log(), std::vector<std::string>{"batch:delivered"});
  EXPECT_EQ(Ids(Take(10000)), (std::vector<std::string>{"taken", "pending"}));
}

TEST_F(ScheduledEventsTest, ReleasedEventsAreHandedOutAgain) {
  ASSERT_TRUE(Schedule("t", 100).ok());
  ASSERT_EQ(Take(100).size(), 1u);
  store_->ReleaseDueEvent("t");
  EXPECT_EQ(Ids(Take(100)), std::vector<std::string>{"t"});
}

TEST_F(ScheduledEventsTest, EventsOfADeletedTopicAreDroppedNotDelivered) {
  ASSERT_TRUE(Schedule("orphan", 100).ok());
  ASSERT_TRUE(store_->DeleteTopic("timeouts").ok());
  MustCreate("timeouts", 2);  // same name, new topic: must not receive the old topic's event
  std::vector<DueEvent> due = Take(100);
  ASSERT_EQ(due.size(), 1u);
  absl::StatusOr<AppendResult> r = Deliver(due[0], Fields(1));
  EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kUnknownTopic) << r.status();
  EXPECT_TRUE(Log().empty());
  EXPECT_EQ(store_->PendingScheduledEvents(), 0u);
  EXPECT_TRUE(Take(100).empty());
}

TEST_F(ScheduledEventsTest, ABatchTheBrokerRefusesIsDropped) {
  ASSERT_TRUE(Schedule("bad", 100).ok());
  std::vector<DueEvent> due = Take(100);
  ASSERT_EQ(due.size(), 1u);
  absl::StatusOr<AppendResult> r = Deliver(due[0], std::nullopt);
  EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kInvalidBatch) << r.status();
  EXPECT_EQ(store_->PendingScheduledEvents(), 0u);
  EXPECT_TRUE(Take(100).empty());
}

// A delivery whose write fails (disk full) leaves the event pending and nothing appended; it is
// delivered once the disk has room again (here: after a restart, as RocksDB may stay read-only).
TEST_F(ScheduledEventsTest, AFailedDeliveryWriteKeepsTheEventPending) {
  ASSERT_TRUE(Schedule("t", 100).ok());
  std::vector<DueEvent> due = Take(100);
  ASSERT_EQ(due.size(), 1u);
  fs_->fail = true;
  absl::StatusOr<AppendResult> r = Deliver(due[0], Fields(1));
  EXPECT_EQ(StoreErrorKindOf(r.status()), StoreErrorKind::kNoSpace) << r.status();
  EXPECT_EQ(store_->PendingScheduledEvents(), 1u);
  store_->Close().IgnoreError();
  store_.reset();
  fs_->fail = false;

  OpenStore();
  EXPECT_TRUE(Log().empty());
  due = Take(100);
  ASSERT_EQ(Ids(due), std::vector<std::string>{"t"});
  ASSERT_TRUE(Deliver(due[0], Fields(1)).ok());
  EXPECT_EQ(Log(), std::vector<std::string>{"batch:t"});
}

TEST_F(ScheduledEventsTest, BadRequestsAreRefusedWithTheReason) {
  EXPECT_EQ(StoreErrorKindOf(Schedule("", 100).status()), StoreErrorKind::kInvalidBatch);
  EXPECT_EQ(StoreErrorKindOf(Schedule(std::string(kMaxScheduledIdLength + 1, 'x'), 100).status()),
            StoreErrorKind::kInvalidBatch);
  EXPECT_EQ(StoreErrorKindOf(Schedule("neg", -1).status()), StoreErrorKind::kInvalidBatch);
  absl::Status partition = Schedule("p", 100, 7).status();
  EXPECT_EQ(StoreErrorKindOf(partition), StoreErrorKind::kInvalidPartition) << partition;
  absl::Status topic =
      store_
          ->ScheduleEvent(ScheduledEvent{
              .id = "x", .due_ms = 1, .topic = "nope", .batch = "b", .fields = Fields(1)})
          .status();
  EXPECT_EQ(StoreErrorKindOf(topic), StoreErrorKind::kUnknownTopic) << topic;
  EXPECT_NE(topic.message().find("'nope'"), absl::string_view::npos);
  EXPECT_EQ(store_->PendingScheduledEvents(), 0u);
}

// Many events delivered from the head of the range leave deletion markers there; later scans
// start past them (the next due time is found with one seek), and nothing is skipped.
TEST_F(ScheduledEventsTest, ScansStartPastDeliveredEvents) {
  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(Schedule("e" + std::to_string(i), 1000 + i).ok());
  }
  int delivered = 0;
  for (int64_t now = 1000; delivered < kEvents; now += 100) {
    for (DueEvent& e : Take(now, 50)) {
      ASSERT_TRUE(Deliver(std::move(e), Fields(1)).ok());
      ++delivered;
    }
    ASSERT_LT(now, 1000 + 100 * kEvents) << "events were skipped";
  }
  EXPECT_EQ(Log().size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(*store_->NextDueTime(), std::nullopt);
  // A new event due before everything delivered is still found.
  ASSERT_TRUE(Schedule("early", 5).ok());
  EXPECT_EQ(*store_->NextDueTime(), std::optional<int64_t>(5));
  EXPECT_EQ(Ids(Take(10)), std::vector<std::string>{"early"});
}

// A cancel's check sees the pending event's topic before anything is written; its refusal is
// returned and the event stays pending. It is not asked about ids that are not pending.
TEST_F(ScheduledEventsTest, ACancelCheckSeesTheTopicAndCanRefuse) {
  ASSERT_TRUE(Schedule("t", 100).ok());
  std::vector<std::string> asked;
  const LogStore::CancelCheck refuse = [&](const std::string& topic) {
    asked.push_back(topic);
    return absl::PermissionDeniedError("not yours");
  };
  absl::StatusOr<CancelOutcome> refused = store_->CancelScheduledEvent("t", refuse);
  EXPECT_EQ(refused.status(), absl::PermissionDeniedError("not yours"));
  EXPECT_EQ(asked, std::vector<std::string>{"timeouts"});
  EXPECT_EQ(store_->PendingScheduledEvents(), 1u);
  EXPECT_EQ(Ids(Take(100)), std::vector<std::string>{"t"});  // still pending, and due
  store_->ReleaseDueEvent("t");
  const LogStore::CancelCheck allow = [&](const std::string& topic) {
    asked.push_back(topic);
    return absl::OkStatus();
  };
  EXPECT_EQ(*store_->CancelScheduledEvent("t", allow), CancelOutcome::kCancelled);
  EXPECT_EQ(*store_->CancelScheduledEvent("t", refuse), CancelOutcome::kAlreadyCancelled);
  EXPECT_EQ(*store_->CancelScheduledEvent("never", refuse), CancelOutcome::kNotFound);
  EXPECT_EQ(asked, (std::vector<std::string>{"timeouts", "timeouts"}));
}

// A scan that runs while a schedule's write is on its way (the WAL sync held here) does not see
// the event; it must not move the scan start past it either, or the event is never due.
TEST_F(ScheduledEventsTest, AnEventWrittenDuringAScanIsStillFound) {
  // Under the default fsync policy (always) a write is visible only after its WAL sync.
  const int syncs_before = fs_->syncs.started();
  fs_->syncs.Hold();
  absl::Cleanup release = [this] { fs_->syncs.Release(); };
  std::future<absl::StatusOr<ScheduleResult>> scheduled =
      std::async(std::launch::async, [this] { return Schedule("late", 100); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (fs_->syncs.started() == syncs_before && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_GT(fs_->syncs.started(), syncs_before) << "the schedule's write never reached its sync";
  EXPECT_TRUE(Take(200).empty());  // not written yet
  fs_->syncs.Release();
  ASSERT_TRUE(scheduled.get().ok());
  EXPECT_EQ(*store_->NextDueTime(), std::optional<int64_t>(100));
  EXPECT_EQ(Ids(Take(200)), std::vector<std::string>{"late"});
}

TEST(ScheduledFormatTest, KeysAndValuesArePinned) {
  EXPECT_EQ(EncodeDueKey(0x0102, "id"), std::string("\x01"
                                                    "D\0\0\0\0\0\0\x01\x02"
                                                    "id",
                                                    12));
  EXPECT_EQ(EncodeIdKey("id"), std::string("\x01"
                                           "Iid"));
  EXPECT_EQ(EncodeIdValue({.due_ms = 5}), std::string("\x01\0\0\0\0\0\0\0\x05", 9));
  EXPECT_EQ(EncodeIdValue({.due_ms = 5, .state = IdValue::State::kCancelled, .ended_ms = 6}),
            std::string("\x01\0\0\0\0\0\0\0\x05\x02\0\0\0\0\0\0\0\x06", 18));
  absl::StatusOr<IdValue> ended = DecodeIdValue(
      EncodeIdValue({.due_ms = 5, .state = IdValue::State::kDelivered, .ended_ms = 9}));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->state, IdValue::State::kDelivered);
  EXPECT_EQ(ended->ended_ms, 9);
  // Due keys sort by due time, then id.
  EXPECT_LT(EncodeDueKey(255, "z"), EncodeDueKey(256, "a"));
  std::optional<DueKey> key = DecodeDueKey(EncodeDueKey(42, "timer"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->due_ms, 42);
  EXPECT_EQ(key->id, "timer");
  EXPECT_FALSE(DecodeDueKey(EncodeIdKey("timer")).has_value());

  const DueValue value{.topic_id = TopicId{7},
                       .partition = 3,
                       .record_count = 1,
                       .max_timestamp_ms = 99,
                       .topic = "orders",
                       .batch = "bytes"};
  const std::string encoded = EncodeDueValue(value);
  EXPECT_EQ(encoded, std::string("\x01\0\0\0\x07\0\0\0\x03\0\0\0\x01\0\0\0\0\0\0\0\x63\0\x06"
                                 "ordersbytes",
                                 34));
  absl::StatusOr<DueValue> decoded = DecodeDueValue(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->topic, "orders");
  EXPECT_EQ(decoded->batch, "bytes");
  EXPECT_EQ(decoded->partition, 3u);
  EXPECT_EQ(StoreErrorKindOf(DecodeDueValue(encoded.substr(0, 10)).status()),
            StoreErrorKind::kCorruptData);
}

}  // namespace
}  // namespace choreo::storage
