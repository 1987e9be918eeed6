// The event index is written in the same RocksDB write as its records, so a crash cannot leave one
// without the other. Checked the hard way: choreod is SIGKILLed while enveloped records stream in
// (--fsync=always), and after the restart the index and a full scan of the topic must agree
// exactly: every record in the log is found by its event id at its offset, and every index entry
// points at a record that is there with that event id.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

using std::chrono::seconds;

class EventIndexCrashTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.fsync = "always";
    return options;
  }
};

std::string HeaderValue(const Record& record, const std::string& key) {
  for (const Header& h : record.headers) {
    if (h.key == key) return h.value;
  }
  return "";
}

Record Enveloped(int64_t seq) {
  const std::string saga = "saga-" + std::to_string(seq / 4);
  Record r{saga, "payload-" + std::to_string(seq), {}, 0};
  r.headers = {{"ce_specversion", "1.0"},
               {"ce_id", "ev-" + std::to_string(seq)},
               {"ce_type", "Step" + std::to_string(seq % 4)},
               {"ce_source", "crash-test"},
               {"ce_time", "2026-12-04T10:00:00.000Z"},
               {"ce_correlationid", saga}};
  if (seq % 4 != 0) r.headers.push_back({"ce_causationid", "ev-" + std::to_string(seq - 1)});
  return r;
}

TEST_F(EventIndexCrashTest, IndexAndLogAgreeAfterSigkillUnderLoad) {
  constexpr int64_t kAcksBeforeKill = 3000;
  constexpr int kMaxInFlight = 64;
  CreateTopic("events", 2);
  ProducerOptions options{.client = Client()};
  options.client.connect_timeout = seconds(1);
  options.delivery_timeout = seconds(3);
  Result<std::unique_ptr<Producer>> created = Producer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Producer> producer = std::move(created).value();

  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  int64_t acked = 0;
  bool failed = false;
  std::thread sender([&] {
    for (int64_t seq = 0;; ++seq) {
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return in_flight < kMaxInFlight || failed; });
        if (failed) return;
        ++in_flight;
      }
      producer->Send("events", Enveloped(seq), std::nullopt,
                     [&](const Result<RecordMetadata>& result) {
                       std::lock_guard<std::mutex> lock(mu);
                       --in_flight;
                       if (result.ok()) {
                         ++acked;
                       } else {
                         failed = true;
                       }
                       changed.notify_all();
                     });
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait_until(lock, std::chrono::steady_clock::now() + seconds(120),
                       [&] { return acked >= kAcksBeforeKill || failed; });
    ASSERT_GE(acked, kAcksBeforeKill) << "the stream stopped before the kill";
  }
  broker_->Kill();  // records are in flight
  sender.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(changed.wait_until(lock, std::chrono::steady_clock::now() + seconds(60),
                                   [&] { return in_flight == 0; }));
  }
  // The broker is down: every record's outcome has reached its callback (in_flight == 0).
  producer->Close(seconds(1)).IgnoreError();
  ASSERT_TRUE(broker_->Start());

  // The log, scanned in full.
  const std::map<uint32_t, std::vector<ConsumedRecord>> log = ReadTopic(Client(), "events");
  std::map<std::pair<uint32_t, int64_t>, std::string> id_at;  // (partition, offset) -> ce_id
  for (const auto& [partition, records] : log) {
    for (const ConsumedRecord& r : records) {
      id_at[{partition, r.offset}] = HeaderValue(r.record, "ce_id");
    }
  }
  ASSERT_GE(static_cast<int64_t>(id_at.size()), kAcksBeforeKill);

  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  // Every index entry points at a record that is there, with its event id (read by type, which
  // covers every indexed event once).
  size_t indexed = 0;
  std::set<std::string> seen_ids;
  for (int type = 0; type < 4; ++type) {
    Result<EventPage> page = admin->FindEventsUpTo(
        EventQuery{.by = EventLookup::kType, .value = "Step" + std::to_string(type)}, 1u << 20);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_TRUE(page->next_page_token.empty());
    for (const IndexedEvent& e : page->events) {
      auto it = id_at.find({e.partition, e.offset});
      ASSERT_NE(it, id_at.end()) << "index entry " << e.event_id << " points at " << e.partition
                                 << "@" << e.offset << ", which is not in the log";
      EXPECT_EQ(it->second, e.event_id) << "at " << e.partition << "@" << e.offset;
      EXPECT_EQ(e.type, "Step" + std::to_string(type));
      seen_ids.insert(e.event_id);
      ++indexed;
    }
  }
  // ... and every record of the log is indexed exactly once.
  EXPECT_EQ(indexed, id_at.size());
  EXPECT_EQ(seen_ids.size(), id_at.size());
  // Spot checks of the other indexes on the last records written before the kill.
  int checked = 0;
  for (auto it = id_at.rbegin(); it != id_at.rend() && checked < 50; ++it, ++checked) {
    Result<EventPage> by_id =
        admin->FindEvents(EventQuery{.by = EventLookup::kEventId, .value = it->second});
    ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
    ASSERT_EQ(by_id->events.size(), 1u) << it->second;
    EXPECT_EQ(by_id->events[0].partition, it->first.first);
    EXPECT_EQ(by_id->events[0].offset, it->first.second);
  }
  RecordProperty("acknowledged", static_cast<int>(acked));
  RecordProperty("recovered", static_cast<int>(id_at.size()));
}

}  // namespace
}  // namespace choreo::e2e
