// A group member whose application stops calling Poll() (max_poll_interval), and Wakeup(): against
// an in-process broker (choreo::testing), with two real members.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "choreo/client/consumer.h"
#include "choreo/client/producer.h"
#include "choreo/testing/test_broker.h"

namespace choreo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr char kTopic[] = "jobs";
constexpr char kGroup[] = "workers";

std::unique_ptr<testing::TestBroker> StartBroker() {
  // Quick heartbeats, so that assignments settle in well under a second.
  Result<std::unique_ptr<testing::TestBroker>> broker =
      testing::TestBroker::Start({.group_heartbeat_interval = milliseconds(100)});
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  return broker.ok() ? std::move(broker).value() : nullptr;
}

void Produce(const testing::TestBroker& broker, int count) {
  Result<std::unique_ptr<Producer>> producer =
      Producer::Create(ProducerOptions{.client = broker.client_options()});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::future<Result<RecordMetadata>>> acks;
  for (int i = 0; i < count; ++i) {
    const std::string key = "job-" + std::to_string(i);
    acks.push_back((*producer)->Send(
        kTopic, Record{.key = key, .value = key, .headers = {}, .timestamp_ms = 0}));
  }
  for (auto& ack : acks) {
    Result<RecordMetadata> result = ack.get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
}

// What a member's rebalance callbacks saw.
struct Callbacks {
  std::set<TopicPartition> lost;
  std::set<TopicPartition> revoked;
};

ConsumerOptions MemberOptions(const testing::TestBroker& broker, Callbacks* callbacks,
                              milliseconds max_poll_interval) {
  ConsumerOptions options;
  options.client = broker.client_options();
  options.group_id = kGroup;
  options.enable_auto_commit = false;  // a commit happens only where a test asks for one
  options.max_poll_interval = max_poll_interval;
  options.listener.on_lost = [callbacks](const std::vector<TopicPartition>& partitions) {
    callbacks->lost.insert(partitions.begin(), partitions.end());
  };
  options.listener.on_revoked = [callbacks](const std::vector<TopicPartition>& partitions) {
    callbacks->revoked.insert(partitions.begin(), partitions.end());
  };
  return options;
}

std::unique_ptr<Consumer> CreateMember(const ConsumerOptions& options) {
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
  if (!consumer.ok()) return nullptr;
  EXPECT_TRUE((*consumer)->Subscribe({kTopic}).ok());
  return std::move(consumer).value();
}

// Polls each of `members` in turn until `done()` or the deadline; false on a Poll error or the
// deadline.
template <typename Done>
bool PollUntil(const std::vector<Consumer*>& members, Done done,
               std::map<Consumer*, int>* received = nullptr) {
  const Clock::time_point deadline = Clock::now() + seconds(60);
  while (!done()) {
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "condition not reached within 60 s";
      return false;
    }
    for (Consumer* member : members) {
      Result<std::vector<ConsumedRecord>> records = member->Poll(milliseconds(20));
      if (!records.ok()) {
        ADD_FAILURE() << records.status().ToString();
        return false;
      }
      if (received != nullptr) (*received)[member] += static_cast<int>(records->size());
    }
  }
  return true;
}

std::optional<int64_t> CommittedOffset(Consumer& consumer, const TopicPartition& tp) {
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> committed =
      consumer.Committed({tp});
  EXPECT_TRUE(committed.ok()) << committed.status().ToString();
  if (!committed.ok() || !(*committed)[tp]) return std::nullopt;
  return (*committed)[tp]->offset;
}

// Two members share a topic; one stops polling (stuck in processing). Its heartbeat thread leaves
// the group after max_poll_interval, so the other member gets its partitions; the stuck one's
// commits are refused; its next Poll() reports the loss (on_lost, no revoke) and it rejoins.
TEST(ConsumerLivenessTest, AMemberThatStopsPollingLeavesAndItsPartitionsMove) {
  std::unique_ptr<testing::TestBroker> broker = StartBroker();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic(kTopic, 4).ok());
  Produce(*broker, 40);

  Callbacks stuck_callbacks;
  Callbacks healthy_callbacks;
  std::unique_ptr<Consumer> stuck =
      CreateMember(MemberOptions(*broker, &stuck_callbacks, milliseconds(1000)));
  std::unique_ptr<Consumer> healthy =
      CreateMember(MemberOptions(*broker, &healthy_callbacks, milliseconds(300000)));
  ASSERT_NE(stuck, nullptr);
  ASSERT_NE(healthy, nullptr);
  std::map<Consumer*, int> received;
  ASSERT_TRUE(PollUntil(
      {stuck.get(), healthy.get()},
      [&] {
        return stuck->Assignment().size() == 2 && healthy->Assignment().size() == 2 &&
               received[stuck.get()] > 0;
      },
      &received));
  const std::vector<TopicPartition> stuck_partitions = stuck->Assignment();
  const std::string stuck_member = stuck->MemberId();
  stuck_callbacks = {};

  // `stuck` now processes "forever": only `healthy` polls.
  ASSERT_TRUE(PollUntil({healthy.get()}, [&] { return healthy->Assignment().size() == 4; }));

  // A commit of what it consumed would overwrite the new owner's progress: refused.
  const Status commit = stuck->Commit();
  EXPECT_EQ(commit.code(), ErrorCode::kMaxPollIntervalExceeded) << commit.ToString();
  for (const TopicPartition& tp : stuck_partitions)
    EXPECT_EQ(CommittedOffset(*healthy, tp), std::nullopt) << tp.partition;

  // Its next Poll() says what happened, once, after on_lost.
  Result<std::vector<ConsumedRecord>> first = stuck->Poll(milliseconds(0));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), ErrorCode::kMaxPollIntervalExceeded);
  EXPECT_NE(first.status().message().find("max_poll_interval"), std::string::npos)
      << first.status().message();
  EXPECT_EQ(stuck_callbacks.lost,
            std::set<TopicPartition>(stuck_partitions.begin(), stuck_partitions.end()));
  EXPECT_TRUE(stuck_callbacks.revoked.empty());
  EXPECT_TRUE(stuck->Assignment().empty());

  // Polling again, it rejoins under a new member id and gets its share back.
  ASSERT_TRUE(PollUntil({stuck.get(), healthy.get()}, [&] {
    return stuck->Assignment().size() == 2 && healthy->Assignment().size() == 2;
  }));
  EXPECT_NE(stuck->MemberId(), stuck_member);
  EXPECT_TRUE(stuck->Commit().ok());
  EXPECT_TRUE(stuck->Close().ok());
  EXPECT_TRUE(healthy->Close().ok());
}

// Close() of a member that left for max_poll_interval and has not polled since must not commit
// (with commit_on_close, the default): its partitions belong to another member.
TEST(ConsumerLivenessTest, CloseAfterMaxPollIntervalCommitsNothing) {
  std::unique_ptr<testing::TestBroker> broker = StartBroker();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic(kTopic, 2).ok());
  Produce(*broker, 20);

  Callbacks stuck_callbacks;
  Callbacks healthy_callbacks;
  std::unique_ptr<Consumer> stuck =
      CreateMember(MemberOptions(*broker, &stuck_callbacks, milliseconds(1000)));
  std::unique_ptr<Consumer> healthy =
      CreateMember(MemberOptions(*broker, &healthy_callbacks, milliseconds(300000)));
  ASSERT_NE(stuck, nullptr);
  ASSERT_NE(healthy, nullptr);
  std::map<Consumer*, int> received;
  ASSERT_TRUE(PollUntil(
      {stuck.get(), healthy.get()},
      [&] {
        return stuck->Assignment().size() == 1 && healthy->Assignment().size() == 1 &&
               received[stuck.get()] > 0;
      },
      &received));
  const TopicPartition stuck_partition = stuck->Assignment().front();
  stuck_callbacks = {};  // the initial rebalance may have revoked one partition from it
  ASSERT_TRUE(PollUntil({healthy.get()}, [&] { return healthy->Assignment().size() == 2; }));

  const Status closed = stuck->Close();
  EXPECT_EQ(closed.code(), ErrorCode::kMaxPollIntervalExceeded) << closed.ToString();
  EXPECT_EQ(stuck_callbacks.lost, std::set<TopicPartition>{stuck_partition});
  EXPECT_TRUE(stuck_callbacks.revoked.empty());
  EXPECT_EQ(CommittedOffset(*healthy, stuck_partition), std::nullopt);
  EXPECT_TRUE(healthy->Close().ok());
}

std::unique_ptr<Consumer> AssignedConsumer(const testing::TestBroker& broker) {
  Result<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(ConsumerOptions{.client = broker.client_options()});
  EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
  if (!consumer.ok()) return nullptr;
  EXPECT_TRUE((*consumer)->Assign({{.partition = {kTopic, 0}, .offset = 0}}).ok());
  return std::move(consumer).value();
}

TEST(ConsumerLivenessTest, WakeupInterruptsAPollWaitingForRecords) {
  std::unique_ptr<testing::TestBroker> broker = StartBroker();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic(kTopic, 1).ok());
  std::unique_ptr<Consumer> consumer = AssignedConsumer(*broker);
  ASSERT_NE(consumer, nullptr);

  const Clock::time_point start = Clock::now();
  std::future<Result<std::vector<ConsumedRecord>>> polled =
      std::async(std::launch::async, [&] { return consumer->Poll(seconds(120)); });
  consumer->Wakeup();  // from another thread than the one in Poll()
  Result<std::vector<ConsumedRecord>> result = polled.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kWakeup) << result.status().ToString();
  // It returned because of Wakeup(), long before its timeout.
  EXPECT_LT(Clock::now() - start, seconds(60));

  // One Wakeup() interrupts one Poll(): the next one reads normally.
  Produce(*broker, 1);
  ASSERT_TRUE(PollUntil({consumer.get()}, [&] {
    return consumer->Position({kTopic, 0}).value() == 1;
  }));
}

TEST(ConsumerLivenessTest, WakeupBeforePollMakesTheNextPollReturnAtOnce) {
  std::unique_ptr<testing::TestBroker> broker = StartBroker();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic(kTopic, 1).ok());
  Produce(*broker, 3);
  std::unique_ptr<Consumer> consumer = AssignedConsumer(*broker);
  ASSERT_NE(consumer, nullptr);

  consumer->Wakeup();
  const Clock::time_point start = Clock::now();
  Result<std::vector<ConsumedRecord>> woken = consumer->Poll(seconds(120));
  EXPECT_EQ(woken.status().code(), ErrorCode::kWakeup);
  EXPECT_LT(Clock::now() - start, seconds(60));
  // Nothing was consumed by the interrupted Poll(): all three records come afterwards.
  EXPECT_EQ(consumer->Position({kTopic, 0}).value(), 0);
  std::map<Consumer*, int> received;
  ASSERT_TRUE(PollUntil(
      {consumer.get()}, [&] { return received[consumer.get()] == 3; }, &received));
}

TEST(ConsumerLivenessTest, WakeupInterruptsAGroupMembersPoll) {
  std::unique_ptr<testing::TestBroker> broker = StartBroker();
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->CreateTopic(kTopic, 1).ok());
  Callbacks callbacks;
  std::unique_ptr<Consumer> member =
      CreateMember(MemberOptions(*broker, &callbacks, milliseconds(300000)));
  ASSERT_NE(member, nullptr);
  ASSERT_TRUE(PollUntil({member.get()}, [&] { return member->Assignment().size() == 1; }));

  std::future<Result<std::vector<ConsumedRecord>>> polled =
      std::async(std::launch::async, [&] { return member->Poll(seconds(120)); });
  member->Wakeup();
  EXPECT_EQ(polled.get().status().code(), ErrorCode::kWakeup);
  // Still a member with its partition.
  EXPECT_EQ(member->Assignment().size(), 1u);
  EXPECT_TRUE(member->Close().ok());
}

}  // namespace
}  // namespace choreo
