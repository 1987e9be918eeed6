// Consumer groups end to end: members join, leave and hang while records flow; no partition ever
// has two owners, nothing is skipped, and the partitions of a hung member move after its session
// timeout. Prints the rebalance timings it observes (informational, never asserted).
#include <gtest/gtest.h>

#include <iostream>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"
#include "tests/e2e/group_worker.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kTopic[] = "events";
constexpr uint32_t kPartitions = 6;
constexpr milliseconds kSessionTimeout{1500};

class GroupOwnershipTest : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    CreateTopic(kTopic, kPartitions);
  }

  std::unique_ptr<GroupWorker> Worker(const std::string& name) {
    ConsumerOptions consumer{.client = Client()};
    consumer.group_id = "svc";
    consumer.session_timeout = kSessionTimeout;
    consumer.max_wait = milliseconds(100);
    consumer.client.client_id = name;
    return std::make_unique<GroupWorker>(GroupWorker::Options{name, consumer, {kTopic}}, log_);
  }

  // When every partition in `partitions` was first processed by one of `workers` after `since`;
  // max while one has not been yet.
  SteadyTime FlowingAgain(const std::set<TopicPartition>& partitions,
                          const std::vector<std::string>& workers, SteadyTime since) {
    SteadyTime all = since;
    for (const TopicPartition& tp : partitions) {
      SteadyTime first = SteadyTime::max();
      for (const std::string& w : workers)
        first = std::min(first, log_.FirstProcessed(w, tp, since));
      all = std::max(all, first);
    }
    return all;
  }

  OwnershipLog log_;
};

TEST_F(GroupOwnershipTest, MembersComeAndGoWithoutOverlapOrGaps) {
  BackgroundProducer producer(Client(), kTopic, kPartitions, 600);  // 3000 records, a few s
  auto w1 = Worker("w1");
  ASSERT_TRUE(w1->Start());
  ASSERT_TRUE(WaitFor([&] { return log_.processed_count("w1") >= 100; }, "w1 to consume"));

  auto w2 = Worker("w2");
  auto w3 = Worker("w3");
  ASSERT_TRUE(w2->Start());
  ASSERT_TRUE(w3->Start());
  ASSERT_TRUE(WaitFor(
      [&] {
        return log_.Owned("w1").size() == 2 && log_.Owned("w2").size() == 2 &&
               log_.Owned("w3").size() == 2;
      },
      "a balanced group of three"));

  // A graceful leave: w1's partitions move without waiting for a session timeout.
  const std::set<TopicPartition> w1_partitions = log_.Owned("w1");
  const SteadyTime left_at = steady_clock::now();
  w1->Stop();
  ASSERT_TRUE(WaitFor(
      [&] {
        return FlowingAgain(w1_partitions, {"w2", "w3"}, left_at) != SteadyTime::max();
      },
      "w1's partitions to flow again after it left"));
  std::cout << "[timing] leave -> its partitions flowing at the others: "
            << Ms(FlowingAgain(w1_partitions, {"w2", "w3"}, left_at) - left_at) << " ms\n";

  // A join while records flow.
  auto w4 = Worker("w4");
  ASSERT_TRUE(w4->Start());
  ASSERT_TRUE(WaitFor([&] { return log_.processed_count("w4") >= 1; }, "w4 to consume"));
  SteadyTime w4_first = SteadyTime::max();
  for (uint32_t p = 0; p < kPartitions; ++p)
    w4_first = std::min(w4_first, log_.FirstProcessed("w4", {kTopic, p}, w4->started_at()));
  std::cout << "[timing] join -> first record at the new member: "
            << Ms(w4_first - w4->started_at()) << " ms\n";

  // A hung member (no heartbeats, no polls): its partitions move after the session timeout.
  ASSERT_TRUE(WaitFor([&] { return !log_.Owned("w2").empty(); }, "w2 to own partitions"));
  const std::set<TopicPartition> w2_partitions = log_.Owned("w2");
  const SteadyTime frozen_at = steady_clock::now();
  w2->Freeze();
  ASSERT_TRUE(WaitFor(
      [&] {
        return FlowingAgain(w2_partitions, {"w3", "w4"}, frozen_at) != SteadyTime::max();
      },
      "w2's partitions to be taken over"));
  const SteadyTime taken_over = FlowingAgain(w2_partitions, {"w3", "w4"}, frozen_at);
  std::cout << "[timing] hang (session timeout " << kSessionTimeout.count()
            << " ms) -> its partitions flowing at the others: " << Ms(taken_over - frozen_at)
            << " ms\n";
  // Its last heartbeat was at most one interval (a third of the session) before the freeze.
  EXPECT_GE(taken_over - frozen_at, kSessionTimeout - kSessionTimeout / 3 - milliseconds(100));

  // Everything produced gets processed.
  ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer", milliseconds(60000)));
  std::unique_ptr<Admin> admin = ConnectAdmin();
  const std::map<TopicPartition, int64_t> end = EndOffsets(*admin, kTopic);
  int64_t total = 0;
  for (const auto& [tp, offset] : end)
    total += offset;
  EXPECT_EQ(total, producer.produced());
  ASSERT_TRUE(WaitFor(
      [&] {
        std::map<TopicPartition, std::set<int64_t>> seen;
        for (const ProcessedRecord& r : log_.processed())
          seen[r.partition].insert(r.offset);
        for (const auto& [tp, offset] : end) {
          if (static_cast<int64_t>(seen[tp].size()) < offset) return false;
        }
        return true;
      },
      "every record to be processed", milliseconds(60000)));
  w3->Stop();
  w4->Stop();
  w2->Stop();  // the zombie's close: its commit is rejected
  EXPECT_NE(w2->last_error().find("UNKNOWN_MEMBER_ID"), std::string::npos) << w2->last_error();

  log_.ExpectExclusiveAndComplete(end);
  std::cout << "[info] processed " << log_.processed_count() << " records for " << total
            << " produced (" << static_cast<int64_t>(log_.processed_count()) - total
            << " delivered twice)\n";
}

}  // namespace
}  // namespace choreo::e2e
