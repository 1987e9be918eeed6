// A broker restart under a running group: committed offsets survive, members reconnect, rejoin
// and continue from them, and no partition has two owners across the restart.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"
#include "tests/e2e/group_worker.h"

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kTopic[] = "ledger";
constexpr uint32_t kPartitions = 3;

class GroupRestartTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.keep_port = true;  // clients reconnect to the same address
    return options;
  }
  std::unique_ptr<GroupWorker> Worker(const std::string& name) {
    ConsumerOptions consumer{.client = Client()};
    consumer.group_id = "svc";
    consumer.session_timeout = milliseconds(1500);
    consumer.max_wait = milliseconds(100);
    consumer.client.request_timeout = milliseconds(5000);
    return std::make_unique<GroupWorker>(GroupWorker::Options{name, consumer, {kTopic}}, log_);
  }
  bool AllProcessed(const std::map<TopicPartition, int64_t>& end) {
    std::map<TopicPartition, std::set<int64_t>> seen;
    for (const ProcessedRecord& r : log_.processed())
      seen[r.partition].insert(r.offset);
    for (const auto& [tp, offset] : end) {
      if (static_cast<int64_t>(seen[tp].size()) < offset) return false;
    }
    return true;
  }
  // True once the group's committed offsets equal `end`.
  bool CommittedUpTo(const std::map<TopicPartition, int64_t>& end) {
    Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
    if (!admin.ok()) return false;
    Result<GroupDescription> group = (*admin)->DescribeGroup("svc");
    if (!group.ok()) return false;
    std::map<TopicPartition, int64_t> committed;
    for (const GroupPartitionOffset& o : group->offsets)
      committed[o.partition] = o.committed_offset;
    return committed == end;
  }

  OwnershipLog log_;
};

TEST_F(GroupRestartTest, MembersRejoinAndContinueFromCommittedOffsets) {
  CreateTopic(kTopic, kPartitions);
  auto w1 = Worker("w1");
  auto w2 = Worker("w2");
  ASSERT_TRUE(w1->Start());
  ASSERT_TRUE(w2->Start());
  {
    BackgroundProducer producer(Client(), kTopic, kPartitions, 60);  // 300 records
    ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer"));
  }
  std::unique_ptr<Admin> admin = ConnectAdmin();
  const std::map<TopicPartition, int64_t> before = EndOffsets(*admin, kTopic);
  admin.reset();
  ASSERT_TRUE(WaitFor([&] { return AllProcessed(before); }, "the first records"));
  ASSERT_TRUE(WaitFor([&] { return CommittedUpTo(before); }, "their commits"));

  ASSERT_TRUE(broker_->Restart());
  const SteadyTime restarted_at = steady_clock::now();
  EXPECT_TRUE(CommittedUpTo(before)) << "committed offsets did not survive the restart";

  {
    BackgroundProducer producer(Client(), kTopic, kPartitions, 60);
    ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer after the restart"));
  }
  admin = ConnectAdmin();
  const std::map<TopicPartition, int64_t> after = EndOffsets(*admin, kTopic);
  ASSERT_TRUE(WaitFor([&] { return AllProcessed(after); }, "the records after the restart"));
  SteadyTime resumed = SteadyTime::max();
  for (const ProcessedRecord& r : log_.processed()) {
    if (r.at >= restarted_at) resumed = std::min(resumed, r.at);
  }
  std::cout << "[timing] broker restarted -> first record consumed again: "
            << Ms(resumed - restarted_at)
            << " ms (includes reconnecting, rejoining and the one-session-timeout hold)\n";
  w1->Stop();
  w2->Stop();

  // They continued from the commits: nothing from before the restart was consumed again.
  std::map<TopicPartition, std::map<int64_t, int>> times;
  for (const ProcessedRecord& r : log_.processed())
    ++times[r.partition][r.offset];
  for (const auto& [tp, end] : before) {
    for (int64_t offset = 0; offset < end; ++offset)
      EXPECT_EQ(times[tp][offset], 1) << tp.partition << "@" << offset;
  }
  log_.ExpectExclusiveAndComplete(after);
}

}  // namespace
}  // namespace choreo::e2e
