// Scheduled (delayed) records through a real choreod: Producer::Schedule stores a record that the
// broker appends when due, once, even across SIGKILLs; CancelScheduled takes it back; the limits
// and the metrics. Nothing here asserts how late a delivery is (bench/RESULTS.md measures that):
// tests wait for records with deadlines, and "never delivered" is checked against a later record
// of the same partition (deliveries are appended in due order).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "tests/broker/prometheus_text.h"
#include "tests/broker/raw_connection.h"
#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

class ScheduledEventsTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.keep_port = true;  // producers reconnect to the same address after a restart
    options.extra_flags = {"--max-scheduled-events=1000"};
    return options;
  }

  std::unique_ptr<Producer> MakeProducer() const {
    ProducerOptions options{.client = Client()};
    options.client.connect_timeout = seconds(2);
    options.delivery_timeout = seconds(60);
    Result<std::unique_ptr<Producer>> created = Producer::Create(options);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? std::move(created).value() : nullptr;
  }

  // The values of `topic`'s partition 0, read until `done` holds for them or the deadline.
  std::vector<std::string> WaitForValues(
      const std::string& topic, const std::function<bool(const std::vector<std::string>&)>& done,
      seconds timeout = seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<std::string> values;
    while (true) {
      values.clear();
      std::map<uint32_t, std::vector<ConsumedRecord>> read = ReadTopic(Client(), topic);
      for (const ConsumedRecord& r : read[0])
        values.push_back(r.record.value);
      if (done(values) || std::chrono::steady_clock::now() >= deadline) return values;
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  static Record Value(std::string value) { return Record{"saga-1", std::move(value), {}, 0}; }
};

bool Contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

TEST_F(ScheduledEventsTest, ARecordIsAppendedWhenDueWithItsKeyHeadersAndTimestamp) {
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const auto due = system_clock::now() + milliseconds(300);
  Record record{"order-7", "payment timed out", {{"ce_type", "PaymentTimedOut"}}, 0};
  Result<ScheduledRecord> scheduled =
      producer->Schedule("payment-timeout/order-7", due, "timeouts", record, 0);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  EXPECT_FALSE(scheduled->already_scheduled);
  const int64_t due_ms = std::chrono::duration_cast<milliseconds>(due.time_since_epoch()).count();
  // Not before its due time (checked only while that is still ahead of us).
  if (system_clock::now() + milliseconds(50) < due) {
    EXPECT_TRUE(ReadTopic(Client(), "timeouts")[0].empty());
  }
  // Scheduling the same id again is a no-op.
  Result<ScheduledRecord> again =
      producer->Schedule("payment-timeout/order-7", due + seconds(5), "timeouts", record, 0);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_scheduled);

  WaitForValues("timeouts", [](const auto& v) { return !v.empty(); });
  std::vector<ConsumedRecord> log = ReadTopic(Client(), "timeouts")[0];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].record.key, "order-7");
  EXPECT_EQ(log[0].record.value, "payment timed out");
  ASSERT_EQ(log[0].record.headers.size(), 1u);
  EXPECT_EQ(log[0].record.headers[0].value, "PaymentTimedOut");
  EXPECT_EQ(log[0].record.timestamp_ms, due_ms);
  // Delivered: the id is free, and cancelling finds nothing.
  EXPECT_EQ(producer->CancelScheduled("payment-timeout/order-7").value(),
            CancelOutcome::kDelivered);
}

TEST_F(ScheduledEventsTest, ACancelledRecordIsNeverAppended) {
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const auto due = system_clock::now() + seconds(1);
  ASSERT_TRUE(producer->Schedule("cancelled", due, "timeouts", Value("cancelled"), 0).ok());
  ASSERT_TRUE(
      producer->Schedule("kept", due + milliseconds(10), "timeouts", Value("kept"), 0).ok());
  Result<CancelOutcome> outcome = producer->CancelScheduled("cancelled");
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  const bool cancelled = *outcome == CancelOutcome::kCancelled;
  EXPECT_TRUE(cancelled || *outcome == CancelOutcome::kDelivered);
  // The broker may be slow enough that the due time passed; then the record may have been
  // delivered, and the cancel must say so.
  std::vector<std::string> values =
      WaitForValues("timeouts", [](const auto& v) { return Contains(v, "kept"); });
  ASSERT_TRUE(Contains(values, "kept"));
  EXPECT_EQ(Contains(values, "cancelled"), !cancelled);
  EXPECT_EQ(values.size(), cancelled ? 1u : 2u);
}

// Cancel racing with a delivery that is due now: exactly one of them wins.
TEST_F(ScheduledEventsTest, CancelRacingWithDeliveryHasOneWinner) {
  CreateTopic("race", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  constexpr int kRounds = 30;
  std::map<std::string, bool> cancelled;
  for (int i = 0; i < kRounds; ++i) {
    const std::string id = "r" + std::to_string(i);
    ASSERT_TRUE(producer->Schedule(id, system_clock::now(), "race", Value(id), 0).ok());
    Result<CancelOutcome> c = producer->CancelScheduled(id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(*c == CancelOutcome::kCancelled || *c == CancelOutcome::kDelivered);
    cancelled[id] = *c == CancelOutcome::kCancelled;
    // Repeating the cancel says the same.
    EXPECT_EQ(producer->CancelScheduled(id).value(),
              cancelled[id] ? CancelOutcome::kAlreadyCancelled : CancelOutcome::kDelivered);
  }
  ASSERT_TRUE(producer->Schedule("end", system_clock::now(), "race", Value("end"), 0).ok());
  std::vector<std::string> values =
      WaitForValues("race", [](const auto& v) { return Contains(v, "end"); });
  ASSERT_TRUE(Contains(values, "end"));
  std::set<std::string> seen;
  for (const std::string& v : values)
    EXPECT_TRUE(seen.insert(v).second) << v << " twice";
  for (const auto& [id, was_cancelled] : cancelled) {
    EXPECT_NE(Contains(values, id), was_cancelled) << id;
  }
}

// Pending records survive a restart, before and after their due time.
TEST_F(ScheduledEventsTest, PendingRecordsSurviveARestart) {
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const auto now = system_clock::now();
  ASSERT_TRUE(
      producer->Schedule("soon", now + milliseconds(200), "timeouts", Value("soon"), 0).ok());
  ASSERT_TRUE(producer->Schedule("later", now + seconds(4), "timeouts", Value("later"), 0).ok());
  producer.reset();
  broker_->Kill();
  // Down past "soon"'s due time: it is delivered at start-up, late but once.
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(broker_->Start());
  std::vector<std::string> values = WaitForValues(
      "timeouts", [](const auto& v) { return Contains(v, "soon") && Contains(v, "later"); });
  EXPECT_EQ(values, (std::vector<std::string>{"soon", "later"}));
}

// Records due while the broker is SIGKILLed again and again are each appended exactly once.
TEST_F(ScheduledEventsTest, EachRecordIsAppendedOnceAcrossSigkills) {
  constexpr int kRecords = 300;
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const auto start = system_clock::now() + milliseconds(500);
  for (int i = 0; i < kRecords; ++i) {
    const std::string id = "t" + std::to_string(i);
    // Spread over about 1.5 s.
    ASSERT_TRUE(producer->Schedule(id, start + milliseconds(5 * i), "timeouts", Value(id), 0).ok());
  }
  producer.reset();
  for (int kill = 0; kill < 4; ++kill) {
    std::this_thread::sleep_for(milliseconds(350));
    broker_->Kill();
    ASSERT_TRUE(broker_->Start());
  }
  std::vector<std::string> values =
      WaitForValues("timeouts", [](const auto& v) { return v.size() >= kRecords; });
  std::set<std::string> seen;
  for (const std::string& v : values)
    EXPECT_TRUE(seen.insert(v).second) << v << " appended twice";
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRecords));
  // Nothing more is pending.
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(ReadTopic(Client(), "timeouts")[0].size(), static_cast<size_t>(kRecords));
}

TEST_F(ScheduledEventsTest, BadRequestsAndLimitsGetClearErrors) {
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const auto later = system_clock::now() + std::chrono::hours(1);
  Result<ScheduledRecord> unknown = producer->Schedule("x", later, "no-such-topic", Value("x"));
  EXPECT_EQ(unknown.status().code(), ErrorCode::kUnknownTopic) << unknown.status().ToString();
  Result<ScheduledRecord> partition = producer->Schedule("x", later, "timeouts", Value("x"), 9);
  EXPECT_EQ(partition.status().code(), ErrorCode::kInvalidPartition)
      << partition.status().ToString();
  EXPECT_EQ(producer->Schedule("", later, "timeouts", Value("x")).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->CancelScheduled(std::string(513, 'x')).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer->CancelScheduled("never-scheduled").value(), CancelOutcome::kNotFound);

  // --max-scheduled-events=1000.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(
        producer->Schedule("fill" + std::to_string(i), later, "timeouts", Value("f"), 0).ok());
  }
  Result<ScheduledRecord> full = producer->Schedule("one-more", later, "timeouts", Value("x"), 0);
  EXPECT_EQ(full.status().code(), ErrorCode::kResourceExhausted) << full.status().ToString();
  EXPECT_NE(full.status().message().find("--max-scheduled-events"), std::string::npos);

  const std::string metrics = broker::testing::HttpGet(broker_->http_port(), "/metrics").body;
  EXPECT_TRUE(broker::testing::IsValidPrometheusText(metrics));
  EXPECT_EQ(broker::testing::SampleValue(metrics, "choreo_scheduled_events_pending"), 1000.0);
  ASSERT_EQ(producer->CancelScheduled("fill0").value(), CancelOutcome::kCancelled);
  EXPECT_TRUE(producer->Schedule("one-more", later, "timeouts", Value("x"), 0).ok());
}

TEST_F(ScheduledEventsTest, DeliveriesAreCounted) {
  CreateTopic("timeouts", 1);
  std::unique_ptr<Producer> producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->Schedule("m", system_clock::now(), "timeouts", Value("m"), 0).ok());
  WaitForValues("timeouts", [](const auto& v) { return !v.empty(); });
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  std::string metrics;
  // The counter is bumped when the append is acknowledged, just before the record is readable.
  do {
    metrics = broker::testing::HttpGet(broker_->http_port(), "/metrics").body;
  } while (broker::testing::SampleValue(metrics, "choreo_scheduled_events_delivered_total") !=
               1.0 &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(broker::testing::SampleValue(metrics, "choreo_scheduled_events_delivered_total"), 1.0);
  EXPECT_EQ(broker::testing::SampleValue(metrics, "choreo_scheduled_events_pending"), 0.0);
  EXPECT_EQ(
      broker::testing::SampleValue(metrics, "choreo_scheduled_delivery_lateness_seconds_count"),
      1.0);
}

}  // namespace
}  // namespace choreo::e2e
