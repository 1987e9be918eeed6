// Durability across broker restarts: a clean SIGTERM restart, and a SIGKILL in the middle of a
// stream of produces with --fsync=always.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using RestartTest = BrokerTest;

TEST_F(RestartTest, RecordsSurviveACleanRestart) {
  CreateTopic("ledger", 2);
  {
    std::unique_ptr<Producer> producer = CreateProducer();
    ASSERT_NE(producer, nullptr);
    for (uint32_t p = 0; p < 2; ++p) {
      std::vector<Record> batch;
      for (int i = 0; i < 25; ++i) {
        batch.push_back(Record{"k" + std::to_string(i),
                               "before-" + std::to_string(p) + "-" + std::to_string(i),
                               {{"h", "v"}},
                               0});
      }
      ASSERT_TRUE(producer->SendBatch("ledger", p, std::move(batch)).get().ok());
    }
    ASSERT_TRUE(producer->Close(seconds(10)).ok());
  }
  const std::map<uint32_t, std::vector<ConsumedRecord>> before = ReadTopic(Client(), "ledger");

  ASSERT_TRUE(broker_->Restart());

  const std::map<uint32_t, std::vector<ConsumedRecord>> after = ReadTopic(Client(), "ledger");
  ASSERT_EQ(after.size(), 2u);
  for (uint32_t p = 0; p < 2; ++p) {
    ASSERT_EQ(after.at(p).size(), 25u);
    for (size_t i = 0; i < 25; ++i) {
      EXPECT_EQ(after.at(p)[i].offset, before.at(p)[i].offset);
      EXPECT_EQ(after.at(p)[i].record.key, before.at(p)[i].record.key);
      EXPECT_EQ(after.at(p)[i].record.value, before.at(p)[i].record.value);
      EXPECT_EQ(after.at(p)[i].record.timestamp_ms, before.at(p)[i].record.timestamp_ms);
      ASSERT_EQ(after.at(p)[i].record.headers.size(), 1u);
    }
  }

  // Appends continue after the recovered end of each partition.
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  Result<RecordMetadata> next = producer->Send("ledger", Record{"", "after", {}, 0}, 1).get();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->offset, 25);
}

// What a producer thread learned about its records: acknowledged (offset -> value), and whether a
// send has failed (which ends the stream).
class AckLog {
 public:
  static constexpr int kMaxInFlight = 32;

  // Blocks until fewer than kMaxInFlight records are unacknowledged; false once a send failed.
  bool AcquireSlot() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return in_flight_ < kMaxInFlight || failed_; });
    if (failed_) return false;
    ++in_flight_;
    return true;
  }

  void OnOutcome(const std::string& value, const Result<RecordMetadata>& result) {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (result.ok()) {
      const bool inserted = acked_.emplace(result->offset, value).second;
      if (!inserted) duplicate_offsets_++;
    } else {
      failed_ = true;
    }
    changed_.notify_all();
  }

  // Waits until at least `n` records are acknowledged, or a send failed, or the deadline passed.
  size_t WaitForAcks(size_t n, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, deadline, [&] { return acked_.size() >= n || failed_; });
    return acked_.size();
  }

  // Waits until nothing is in flight (every outcome is in).
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_until(lock, deadline, [&] { return in_flight_ == 0; });
  }

  std::map<int64_t, std::string> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int duplicate_offsets() {
    std::lock_guard<std::mutex> lock(mu_);
    return duplicate_offsets_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int in_flight_ = 0;
  bool failed_ = false;
  int duplicate_offsets_ = 0;
  std::map<int64_t, std::string> acked_;
};

class CrashTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.fsync = "always";
    return options;
  }
};

TEST_F(CrashTest, AcknowledgedRecordsSurviveSigkill) {
  constexpr size_t kAcksBeforeKill = 2000;
  CreateTopic("stream", 1);
  // Once the broker is gone, pending sends fail at their delivery timeout; the sender stops then.
  ProducerOptions options{.client = Client()};
  options.client.connect_timeout = seconds(1);
  options.delivery_timeout = seconds(3);
  Result<std::unique_ptr<Producer>> created = Producer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Producer> producer = std::move(created).value();

  AckLog acks;
  std::thread sender([&] {
    for (int64_t seq = 0; acks.AcquireSlot(); ++seq) {
      const std::string value = "record-" + std::to_string(seq);
      producer->Send(
          "stream", Record{"", value, {}, 0}, 0,
          [&acks, value](const Result<RecordMetadata>& result) { acks.OnOutcome(value, result); });
    }
  });

  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  const size_t acked_at_kill = acks.WaitForAcks(kAcksBeforeKill, deadline);
  broker_->Kill();  // mid-stream: records are in flight
  // Resends find no broker; every pending send fails at its delivery timeout, and the sender stops
  // at the first failure.
  sender.join();
  ASSERT_TRUE(acks.WaitIdle(std::chrono::steady_clock::now() + seconds(60)));
  ASSERT_GE(acked_at_kill, kAcksBeforeKill) << "the stream stopped early";
  // The broker is down: the outcomes that matter were counted by the callbacks above.
  producer->Close(seconds(1)).IgnoreError();
  EXPECT_EQ(acks.duplicate_offsets(), 0);

  ASSERT_TRUE(broker_->Start());
  const std::map<int64_t, std::string> acked = acks.acked();
  const std::map<uint32_t, std::vector<ConsumedRecord>> read = ReadTopic(Client(), "stream");
  const std::vector<ConsumedRecord>& records = read.at(0);

  // The log is dense from offset 0 and holds each value at most once.
  std::map<std::string, int> copies;
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i].offset, static_cast<int64_t>(i));
    ++copies[records[i].record.value];
  }
  for (const auto& [value, count] : copies)
    EXPECT_EQ(count, 1) << value;
  // Every acknowledged record is where its acknowledgement said, in send order.
  int64_t previous_seq = -1;
  for (const auto& [offset, value] : acked) {
    ASSERT_LT(offset, static_cast<int64_t>(records.size()))
        << "acknowledged record " << value << " at offset " << offset << " is lost";
    EXPECT_EQ(records[offset].record.value, value) << "at offset " << offset;
    const int64_t seq = std::stoll(value.substr(value.find('-') + 1));
    EXPECT_GT(seq, previous_seq) << "acknowledged records out of order at offset " << offset;
    previous_seq = seq;
  }
  // Acknowledgements cover a prefix of what was sent; what follows may or may not have survived.
  EXPECT_GE(records.size(), acked.size());
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("recovered", static_cast<int>(records.size()));
}

}  // namespace
}  // namespace choreo::e2e
