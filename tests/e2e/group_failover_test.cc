// Group members that are separate processes (`choreo consume --group`): one SIGKILLed loses its
// partitions after the session timeout and the survivor resumes them from its last commit; one
// SIGTERMed commits and leaves, so its partitions move at once and nothing is consumed twice.
#include <gtest/gtest.h>

#include <signal.h>

#include <iostream>

#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"
#include "tests/e2e/group_worker.h"

#ifndef CHOREO_CLI_PATH
#error "CHOREO_CLI_PATH must name the choreo binary"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kTopic[] = "orders";
constexpr uint32_t kPartitions = 4;
constexpr milliseconds kSessionTimeout{1500};

class GroupFailoverTest : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    CreateTopic(kTopic, kPartitions);
    admin_ = ConnectAdmin();
  }
  void TearDown() override {
    if (cli_pid_ > 0) {
      kill(cli_pid_, SIGKILL);
      WaitForExit(cli_pid_, std::chrono::seconds(10));
    }
  }

  // Starts `choreo consume orders --group svc` in the background.
  void StartCliMember() {
    cli_out_ = dir_.path() / "cli.out";
    cli_pid_ = Spawn({CHOREO_CLI_PATH, "consume", kTopic, "--group", "svc", "--from-beginning",
                      "--follow", "--format", "full", "--session-timeout-ms",
                      std::to_string(kSessionTimeout.count()), "--broker", broker_->address()},
                     "/dev/null", cli_out_, dir_.path() / "cli.err");
    ASSERT_GT(cli_pid_, 0);
  }
  std::unique_ptr<GroupWorker> Worker() {
    ConsumerOptions consumer{.client = Client()};
    consumer.group_id = "svc";
    consumer.session_timeout = kSessionTimeout;
    consumer.max_wait = milliseconds(100);
    return std::make_unique<GroupWorker>(GroupWorker::Options{"w", consumer, {kTopic}}, log_);
  }
  // The partitions assigned to the CLI member (client id "choreo-cli"), once the group is stable
  // with two members; empty until then.
  std::set<TopicPartition> CliPartitions() {
    Result<GroupDescription> group = admin_->DescribeGroup("svc");
    if (!group.ok() || group->state != "stable" || group->members.size() != 2) return {};
    for (const GroupMemberDescription& m : group->members) {
      if (m.client_id == "choreo-cli") return {m.assignment.begin(), m.assignment.end()};
    }
    return {};
  }
  size_t CliRecords() {
    size_t n = 0;
    for (const auto& [p, offsets] : OffsetsInCliOutput(cli_out_))
      n += offsets.size();
    return n;
  }

  std::unique_ptr<Admin> admin_;
  OwnershipLog log_;
  pid_t cli_pid_ = -1;
  std::filesystem::path cli_out_;
};

TEST_F(GroupFailoverTest, AKilledMemberIsReplacedFromItsLastCommit) {
  BackgroundProducer producer(Client(), kTopic, kPartitions, 500);
  auto worker = Worker();
  ASSERT_TRUE(worker->Start());
  StartCliMember();
  std::set<TopicPartition> cli_partitions;
  ASSERT_TRUE(WaitFor([&] { return !(cli_partitions = CliPartitions()).empty(); },
                      "the CLI member to get partitions"));
  const size_t printed = CliRecords();
  ASSERT_TRUE(WaitFor([&] { return CliRecords() > printed + 20; }, "the CLI member to consume"));

  kill(cli_pid_, SIGKILL);
  const SteadyTime killed_at = steady_clock::now();
  ASSERT_EQ(WaitForExit(cli_pid_, std::chrono::seconds(10)), 128 + SIGKILL);
  cli_pid_ = -1;
  // Its last commits: nobody else may commit these partitions until its session expires.
  Result<GroupDescription> group = admin_->DescribeGroup("svc");
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  std::map<TopicPartition, int64_t> last_commit;
  for (const GroupPartitionOffset& o : group->offsets)
    last_commit[o.partition] = o.committed_offset;

  ASSERT_TRUE(WaitFor(
      [&] {
        for (const TopicPartition& tp : cli_partitions) {
          if (log_.FirstProcessed("w", tp, killed_at) == SteadyTime::max()) return false;
        }
        return true;
      },
      "the survivor to take the killed member's partitions over"));
  SteadyTime flowing = killed_at;
  for (const TopicPartition& tp : cli_partitions) {
    flowing = std::max(flowing, log_.FirstProcessed("w", tp, killed_at));
    // It resumed exactly at the killed member's last commit.
    int64_t first = -1;
    for (const ProcessedRecord& r : log_.processed()) {
      if (r.worker == "w" && r.partition == tp && r.at >= killed_at) {
        first = r.offset;
        break;
      }
    }
    EXPECT_EQ(first, last_commit[tp]) << tp.partition;
  }
  std::cout << "[timing] SIGKILL (session timeout " << kSessionTimeout.count()
            << " ms) -> partitions flowing at the survivor: " << Ms(flowing - killed_at) << " ms\n";
  EXPECT_GE(flowing - killed_at, kSessionTimeout - kSessionTimeout / 3 - milliseconds(100));

  // Nothing is skipped: the killed member's output plus the survivor cover every record.
  ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer", milliseconds(60000)));
  const std::map<TopicPartition, int64_t> end = EndOffsets(*admin_, kTopic);
  const std::map<uint32_t, std::set<int64_t>> by_cli = OffsetsInCliOutput(cli_out_);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::map<TopicPartition, std::set<int64_t>> seen;
        for (const ProcessedRecord& r : log_.processed())
          seen[r.partition].insert(r.offset);
        for (const auto& [p, offsets] : by_cli)
          seen[{kTopic, p}].insert(offsets.begin(), offsets.end());
        for (const auto& [tp, offset] : end) {
          if (static_cast<int64_t>(seen[tp].size()) < offset) return false;
        }
        return true;
      },
      "every record to be processed", milliseconds(60000)));
  worker->Stop();
}

TEST_F(GroupFailoverTest, ATerminatedMemberCommitsAndLeavesAtOnce) {
  {
    BackgroundProducer producer(Client(), kTopic, kPartitions, 40);  // 200 records
    ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer"));
  }
  StartCliMember();
  ASSERT_TRUE(WaitFor([&] { return CliRecords() == 200; }, "the CLI member to read everything"));
  auto worker = Worker();
  ASSERT_TRUE(worker->Start());
  ASSERT_TRUE(WaitFor([&] { return !CliPartitions().empty(); }, "a group of two"));

  kill(cli_pid_, SIGTERM);
  const SteadyTime terminated_at = steady_clock::now();
  ASSERT_EQ(WaitForExit(cli_pid_, std::chrono::seconds(10)), 0);
  cli_pid_ = -1;
  ASSERT_TRUE(WaitFor([&] { return log_.Owned("w").size() == kPartitions; },
                      "the worker to own everything"));
  const SteadyTime moved = steady_clock::now();
  std::cout << "[timing] SIGTERM (commit + leave) -> all partitions at the survivor: "
            << Ms(moved - terminated_at) << " ms\n";
  EXPECT_LT(moved - terminated_at, kSessionTimeout) << "moved only after the session timeout";

  // What the CLI printed, it committed: the worker consumes none of it again.
  {
    BackgroundProducer producer(Client(), kTopic, kPartitions, 8);  // 40 more
    ASSERT_TRUE(WaitFor([&] { return producer.done(); }, "the producer"));
  }
  ASSERT_TRUE(WaitFor([&] { return log_.processed_count("w") >= 40; }, "the new records"));
  worker->Stop();
  EXPECT_EQ(log_.processed_count("w"), 40u) << "records were consumed twice";
  for (const ProcessedRecord& r : log_.processed())
    EXPECT_GE(r.offset, 50);
}

}  // namespace
}  // namespace choreo::e2e
