// The event index (LogStore::FindEvents and saga definitions): entries are written with their
// batches, answer by saga id, event id, type and key in time order, page, skip records that
// retention or a topic deletion removed (and compaction drops them), survive a restart, and track
// which sagas are open and stuck.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "choreo/storage/event_index.h"
#include "choreo/storage/log_store.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

using testing::Fields;
using testing::StoreTest;

IndexedEventFields Event(uint32_t delta, std::string saga, std::string id, std::string type,
                         int64_t time_ms, std::string causation = "") {
  IndexedEventFields e;
  e.offset_delta = delta;
  e.time_ms = time_ms;
  e.type = std::move(type);
  e.source = "test-service";
  e.event_id = std::move(id);
  e.key = saga;
  e.saga_id = std::move(saga);
  e.causation_id = std::move(causation);
  return e;
}

class EventIndexTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.retention_min_trim_bytes = 0;
    OpenStore();
  }

  // Appends one batch of `records` records (the first at `time_ms`) of which `events` are
  // enveloped; returns its base offset.
  Offset Append(const std::string& topic, uint32_t partition, uint32_t records,
                std::vector<IndexedEventFields> events, int64_t time_ms = 1000) {
    BatchFields fields = Fields(records, time_ms);
    fields.events = std::make_shared<const std::vector<IndexedEventFields>>(std::move(events));
    absl::StatusOr<AppendResult> r =
        store_->AppendAndWait(topic, partition, std::string(100, 'x'), fields);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->base_offset : -1;
  }

  std::vector<IndexedEvent> Find(EventIndexKind by, const std::string& value, int64_t since_ms = 0,
                                 const std::string& topic = "") {
    absl::StatusOr<EventPage> page = store_->FindEvents(
        {.by = by, .value = value, .since_ms = since_ms, .topic = topic, .limit = 1000});
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    EXPECT_TRUE(page->next_page_token.empty());
    return page->events;
  }

  static std::vector<std::string> Ids(const std::vector<IndexedEvent>& events) {
    std::vector<std::string> ids;
    for (const IndexedEvent& e : events)
      ids.push_back(e.fields.event_id);
    return ids;
  }

  // Index entries in the `events` column family, read around the store (closed first).
  size_t RawEntryCount() {
    CloseStore();
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies({}, options_.data_dir, &names).ok());
    for (const std::string& name : names)
      families.push_back({name, {}});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::OpenForReadOnly({}, options_.data_dir, families, &handles, &raw).ok());
    size_t count = 0;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != "events") continue;
      std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator({}, handles[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (it->key()[0] != 'o') ++count;
      }
    }
    for (rocksdb::ColumnFamilyHandle* h : handles)
      raw->DestroyColumnFamilyHandle(h);
    delete raw;
    OpenStore();
    return count;
  }
};

TEST_F(EventIndexTest, FindsEventsBySagaEventIdTypeAndKeyInTimeOrder) {
  MustCreate("orders", 2);
  MustCreate("payments", 1);
  // Three records, two enveloped (the middle one is not), as the broker extracts them.
  const Offset base = Append("orders", 1, 3,
                             {Event(0, "saga-1", "e1", "shop.OrderCreated", 3000),
                              Event(2, "saga-2", "e2", "shop.OrderCreated", 1000)});
  Append("payments", 0, 1, {Event(0, "saga-1", "e3", "shop.PaymentSucceeded", 2000, "e1")});

  std::vector<IndexedEvent> saga = Find(EventIndexKind::kSaga, "saga-1");
  ASSERT_EQ(Ids(saga), (std::vector<std::string>{"e3", "e1"}));  // by time, across topics
  EXPECT_EQ(saga[0].topic, "payments");
  EXPECT_EQ(saga[0].fields.causation_id, "e1");
  EXPECT_EQ(saga[0].fields.time_ms, 2000);
  EXPECT_EQ(saga[1].topic, "orders");
  EXPECT_EQ(saga[1].partition, 1u);
  EXPECT_EQ(saga[1].offset, base);
  EXPECT_EQ(saga[1].fields.source, "test-service");

  std::vector<IndexedEvent> by_id = Find(EventIndexKind::kEventId, "e2");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].offset, base + 2);
  EXPECT_EQ(by_id[0].fields.saga_id, "saga-2");

  EXPECT_EQ(Ids(Find(EventIndexKind::kType, "shop.OrderCreated")),
            (std::vector<std::string>{"e2", "e1"}));
  EXPECT_EQ(Ids(Find(EventIndexKind::kKey, "saga-2")), (std::vector<std::string>{"e2"}));
  EXPECT_TRUE(Find(EventIndexKind::kSaga, "no-such-saga").empty());
  // since and topic filters.
  EXPECT_EQ(Ids(Find(EventIndexKind::kType, "shop.OrderCreated", 2000)),
            (std::vector<std::string>{"e1"}));
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "saga-1", 0, "orders")),
            (std::vector<std::string>{"e1"}));
  EXPECT_EQ(store_->FindEvents({.by = EventIndexKind::kSaga, .value = "saga-1", .topic = "nope"})
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  CloseStore();
  OpenStore();
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "saga-1")), (std::vector<std::string>{"e3", "e1"}));
}

TEST_F(EventIndexTest, PagesThroughManyEvents) {
  MustCreate("t", 1);
  std::vector<IndexedEventFields> events;
  for (uint32_t i = 0; i < 250; ++i) {
    events.push_back(Event(i, "big", "e" + std::to_string(i), "T", 1000 + i));
  }
  Append("t", 0, 250, events);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<EventPage> page = store_->FindEvents(
        {.by = EventIndexKind::kSaga, .value = "big", .limit = 100, .page_token = token});
    ASSERT_TRUE(page.ok()) << page.status();
    for (const IndexedEvent& e : page->events)
      seen.push_back(e.fields.event_id);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 250u);
  EXPECT_EQ(seen.front(), "e0");
  EXPECT_EQ(seen.back(), "e249");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 250u);

  // A malformed token is refused, as are bad limits and empty values.
  EXPECT_EQ(
      store_
          ->FindEvents(
              {.by = EventIndexKind::kType, .value = "T", .limit = 1, .page_token = "garbage"})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->FindEvents({.by = EventIndexKind::kType, .value = "T", .limit = 0}).ok());
  EXPECT_FALSE(store_->FindEvents({.by = EventIndexKind::kType, .value = "", .limit = 1}).ok());
}

// A record key equal to the saga id has no key entry of its own; a key search still finds it, in
// order with the events keyed otherwise, page after page.
TEST_F(EventIndexTest, KeySearchFindsEventsKeyedByTheirSagaAndOthers) {
  MustCreate("t", 2);
  auto keyed = [](IndexedEventFields e, std::string key) {
    e.key = std::move(key);
    return e;
  };
  Append("t", 0, 1, {keyed(Event(0, "s1", "a", "T", 1000), "K")});
  Append("t", 1, 1, {Event(0, "K", "b", "T", 2000)});  // key == saga id
  Append("t", 0, 1, {keyed(Event(0, "s2", "c", "T", 3000), "K")});
  Append("t", 1, 1, {keyed(Event(0, "K", "d", "T", 1500), "other")});  // saga K, another key
  EXPECT_EQ(Ids(Find(EventIndexKind::kKey, "K")), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Ids(Find(EventIndexKind::kKey, "other")), (std::vector<std::string>{"d"}));
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "K")), (std::vector<std::string>{"d", "b"}));
  EXPECT_EQ(Ids(Find(EventIndexKind::kKey, "K", /*since_ms=*/1500)),
            (std::vector<std::string>{"b", "c"}));

  std::vector<std::string> paged;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<EventPage> p = store_->FindEvents(
        {.by = EventIndexKind::kKey, .value = "K", .limit = 1, .page_token = token});
    ASSERT_TRUE(p.ok()) << p.status();
    for (const IndexedEvent& e : p->events)
      paged.push_back(e.fields.event_id);
    token = p->next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"a", "b", "c"}));
  // Every field of an event found through a reference comes from its saga entry.
  std::vector<IndexedEvent> by_id = Find(EventIndexKind::kEventId, "c");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].fields.saga_id, "s2");
  EXPECT_EQ(by_id[0].fields.key, "K");
  EXPECT_EQ(by_id[0].fields.source, "test-service");
  EXPECT_EQ(by_id[0].fields.time_ms, 3000);
}

TEST_F(EventIndexTest, TopicWithIndexOffIsNotIndexed) {
  ASSERT_TRUE(store_->CreateTopic("plain", {.partitions = 1, .index_events = false}).ok());
  Append("plain", 0, 1, {Event(0, "s", "e1", "T", 1000)});
  EXPECT_TRUE(Find(EventIndexKind::kSaga, "s").empty());
  ASSERT_TRUE(store_->AlterTopic("plain", {.index_events = true}).ok());
  Append("plain", 0, 1, {Event(0, "s", "e2", "T", 1000)});
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "s")), (std::vector<std::string>{"e2"}));
  // The setting survives a restart.
  ASSERT_TRUE(store_->AlterTopic("plain", {.index_events = false}).ok());
  CloseStore();
  OpenStore();
  EXPECT_FALSE(store_->GetTopic("plain")->config.index_events);
}

TEST_F(EventIndexTest, RetentionAndTopicDeletionRemoveEntries) {
  ASSERT_TRUE(store_->CreateTopic("short", {.partitions = 1, .retention_ms = 1000}).ok());
  MustCreate("gone", 1);
  MustCreate("kept", 1);
  Append("short", 0, 1, {Event(0, "s", "old", "T", 100)}, /*time_ms=*/100);
  Append("short", 0, 1, {Event(0, "s", "new", "T", 5000)}, /*time_ms=*/5000);
  Append("gone", 0, 1, {Event(0, "s", "deleted", "T", 200)});
  Append("kept", 0, 1, {Event(0, "s", "kept", "T", 300)});
  EXPECT_EQ(Find(EventIndexKind::kSaga, "s").size(), 4u);
  const size_t entries_before = RawEntryCount();
  // Saga, event id and type per event; no key entry, as the key is the saga id.
  EXPECT_EQ(entries_before, 4u * 3u);

  ASSERT_TRUE(store_->ApplyRetention(/*now_ms=*/5500).ok());
  ASSERT_TRUE(store_->DeleteTopic("gone").ok());
  // Queries skip them at once...
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "s")), (std::vector<std::string>{"kept", "new"}));
  EXPECT_TRUE(Find(EventIndexKind::kEventId, "old").empty());
  EXPECT_TRUE(Find(EventIndexKind::kEventId, "deleted").empty());
  // ... and compaction removes them.
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->CompactEventIndex().ok());
  EXPECT_EQ(RawEntryCount(), 2u * 3u);
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "s")), (std::vector<std::string>{"kept", "new"}));
}

TEST_F(EventIndexTest, StepBatchesAreIndexed) {
  MustCreate("in", 1);
  MustCreate("out", 1);
  absl::StatusOr<ProducerIdentity> producer = store_->InitProducer(-1, 0, false);
  ASSERT_TRUE(producer.ok());
  StepAppends step;
  StepBatch& batch = step.batches.emplace_back();
  batch.topic = "out";
  batch.batch = "payload";
  batch.fields = Fields(1, 1000);
  batch.fields.producer_id = producer->producer_id;
  batch.fields.events = std::make_shared<const std::vector<IndexedEventFields>>(
      std::vector<IndexedEventFields>{Event(0, "s", "step-event", "T", 1000)});
  step.group = "g";
  step.offsets.push_back({.topic = "in", .partition = 0, .offset = 0});
  std::promise<absl::StatusOr<StepResult>> done;
  store_->AppendStep(std::move(step), [&](absl::StatusOr<StepResult> r) { done.set_value(r); });
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(Ids(Find(EventIndexKind::kSaga, "s")), (std::vector<std::string>{"step-event"}));
}

TEST_F(EventIndexTest, DefinitionsTrackOpenAndStuckSagas) {
  MustCreate("t", 1);
  ASSERT_TRUE(store_
                  ->DefineSaga({.name = "order",
                                .start_types = {"Created"},
                                .terminal_types = {"Completed", "Cancelled"},
                                .deadline_ms = 1000})
                  .ok());
  // Bad definitions are refused with a reason.
  EXPECT_EQ(store_->DefineSaga({.name = "x", .terminal_types = {}, .deadline_ms = 1}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DefineSaga({.name = "x", .terminal_types = {"A"}, .deadline_ms = 0}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DefineSaga({.name = "a b", .terminal_types = {"A"}, .deadline_ms = 5}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RemoveSagaDefinition("x").code(), absl::StatusCode::kNotFound);

  Append("t", 0, 1, {Event(0, "done", "d1", "Created", 1000)});
  Append("t", 0, 1, {Event(0, "done", "d2", "Completed", 1500, "d1")});
  Append("t", 0, 1, {Event(0, "slow", "s1", "Created", 1000)});
  Append("t", 0, 1, {Event(0, "slow", "s2", "Paid", 1200, "s1")});
  Append("t", 0, 1, {Event(0, "young", "y1", "Created", 4000)});
  Append("t", 0, 1, {Event(0, "other", "o1", "Unrelated", 1000)});

  absl::StatusOr<std::vector<OpenSaga>> stuck = store_->ListStuckSagas("", 4500, 100);
  ASSERT_TRUE(stuck.ok()) << stuck.status();
  ASSERT_EQ(stuck->size(), 1u);
  EXPECT_EQ((*stuck)[0].definition, "order");
  EXPECT_EQ((*stuck)[0].saga_id, "slow");
  EXPECT_EQ((*stuck)[0].started_ms, 1000);
  EXPECT_EQ((*stuck)[0].last_event.fields.event_id, "s2");
  EXPECT_EQ((*stuck)[0].last_event.fields.type, "Paid");

  absl::StatusOr<std::vector<OpenSagaCount>> counts = store_->CountOpenSagas(4500);
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].open, 2u);  // slow and young
  EXPECT_EQ((*counts)[0].stuck, 1u);

  // Definitions and open sagas survive a restart; a terminal event closes the saga.
  CloseStore();
  OpenStore();
  ASSERT_EQ(store_->ListSagaDefinitions().size(), 1u);
  EXPECT_EQ(store_->ListSagaDefinitions()[0].terminal_types,
            (std::vector<std::string>{"Completed", "Cancelled"}));
  Append("t", 0, 1, {Event(0, "slow", "s3", "Cancelled", 5000, "s2")});
  stuck = store_->ListStuckSagas("order", 6000, 100);
  ASSERT_TRUE(stuck.ok());
  ASSERT_EQ(stuck->size(), 1u);
  EXPECT_EQ((*stuck)[0].saga_id, "young");
  EXPECT_EQ(store_->ListStuckSagas("nope", 6000, 100).status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(store_->RemoveSagaDefinition("order").ok());
  EXPECT_TRUE(store_->ListSagaDefinitions().empty());
  counts = store_->CountOpenSagas(6000);
  ASSERT_TRUE(counts.ok());
  EXPECT_TRUE(counts->empty());
}

TEST_F(EventIndexTest, WithoutStartTypesAnyFirstEventOpensASaga) {
  MustCreate("t", 1);
  ASSERT_TRUE(
      store_->DefineSaga({.name = "any", .terminal_types = {"Done"}, .deadline_ms = 10}).ok());
  Append("t", 0, 1, {Event(0, "a", "a1", "Anything", 1000)});
  Append("t", 0, 1, {Event(0, "a", "a2", "Next", 1001, "a1")});
  Append("t", 0, 1, {Event(0, "b", "b1", "Whatever", 1000)});
  Append("t", 0, 1, {Event(0, "b", "b2", "Done", 1002, "b1")});
  absl::StatusOr<std::vector<OpenSaga>> stuck = store_->ListStuckSagas("any", 2000, 10);
  ASSERT_TRUE(stuck.ok());
  ASSERT_EQ(stuck->size(), 1u);
  EXPECT_EQ((*stuck)[0].saga_id, "a");
  EXPECT_EQ((*stuck)[0].last_event.fields.event_id, "a2");
}

}  // namespace
}  // namespace choreo::storage
