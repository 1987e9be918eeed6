// The group Consumer against a scripted coordinator (FakeGroupBroker): what it sends, and in
// which order it revokes, commits and releases.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "choreo/client/consumer.h"
#include "tests/client/fake_group.h"

namespace choreo {
namespace {

using std::chrono::milliseconds;
using testing::FakeGroupBroker;

constexpr milliseconds kDeadline{10000};

class GroupConsumerTest : public ::testing::Test {
 protected:
  GroupConsumerTest() : broker_(3, 5) {}

  ConsumerOptions Options() {
    ConsumerOptions options;
    options.client.broker = broker_.address();
    options.group_id = "svc";
    options.max_wait = milliseconds(10);
    options.session_timeout = milliseconds(3000);
    options.enable_auto_commit = false;
    options.listener.on_assigned = [this](const std::vector<TopicPartition>& tps) {
      for (const TopicPartition& tp : tps)
        calls_.push_back("assigned " + std::to_string(tp.partition));
    };
    options.listener.on_revoked = [this](const std::vector<TopicPartition>& tps) {
      for (const TopicPartition& tp : tps)
        calls_.push_back("revoked " + std::to_string(tp.partition));
      if (commit_in_revoke_) {
        EXPECT_TRUE(consumer_->Commit().ok());
      }
    };
    return options;
  }

  void Start(ConsumerOptions options) {
    Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
    ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
    consumer_ = std::move(consumer).value();
    ASSERT_TRUE(consumer_->Subscribe({"t"}).ok());
  }

  // Polls until `count` records arrived (or the deadline).
  std::vector<ConsumedRecord> PollRecords(size_t count) {
    std::vector<ConsumedRecord> out;
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      Result<std::vector<ConsumedRecord>> records = consumer_->Poll(milliseconds(20));
      EXPECT_TRUE(records.ok()) << records.status().ToString();
      if (!records.ok()) break;
      out.insert(out.end(), records->begin(), records->end());
    }
    return out;
  }

  // Polls (handling rebalances) until `condition` holds.
  template <typename Condition>
  bool PollUntil(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      (void)consumer_->Poll(milliseconds(10));
    }
    return true;
  }

  bool EventSeen(const std::string& prefix) {
    for (const std::string& e : broker_.events()) {
      if (e.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }

  FakeGroupBroker broker_;
  std::vector<std::string> calls_;
  bool commit_in_revoke_ = false;
  // Last: destroyed first, since its destructor (Close) runs the listener, which uses the above.
  std::unique_ptr<Consumer> consumer_;
};

TEST_F(GroupConsumerTest, JoinsAndStartsAtCommittedOffsetsOrTheResetPolicy) {
  broker_.SetAssignment({0, 1});
  broker_.SetCommitted(0, 3);
  Start(Options());
  std::vector<ConsumedRecord> records = PollRecords(2 + 5);
  ASSERT_EQ(records.size(), 7u);
  std::map<uint32_t, std::vector<int64_t>> offsets;
  for (const ConsumedRecord& r : records)
    offsets[r.partition].push_back(r.offset);
  EXPECT_EQ(offsets[0], (std::vector<int64_t>{3, 4}));           // committed
  EXPECT_EQ(offsets[1], (std::vector<int64_t>{0, 1, 2, 3, 4}));  // earliest
  EXPECT_EQ(calls_, (std::vector<std::string>{"assigned 0", "assigned 1"}));
  const std::vector<proto::ConsumerGroupHeartbeatRequest> beats = broker_.heartbeats();
  ASSERT_FALSE(beats.empty());
  EXPECT_EQ(beats[0].member_epoch(), 0);
  EXPECT_FALSE(beats[0].member_id().empty()) << "the client picks its member id";
  ASSERT_EQ(beats[0].subscribed_topics_size(), 1);
  EXPECT_EQ(beats[0].session_timeout_ms(), 3000u);
  EXPECT_FALSE(consumer_->MemberId().empty());
  EXPECT_GT(consumer_->MemberEpoch(), 0);

  ASSERT_TRUE(consumer_->Commit().ok());
  const std::vector<proto::OffsetCommitRequest> commits = broker_.commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].member_id(), consumer_->MemberId());
  EXPECT_EQ(commits[0].member_epoch(), consumer_->MemberEpoch());
  EXPECT_EQ(broker_.committed(), (std::map<uint32_t, int64_t>{{0, 5}, {1, 5}}));
}

TEST_F(GroupConsumerTest, RevokesCommitsThenReleases) {
  broker_.SetAssignment({0, 1, 2});
  commit_in_revoke_ = true;
  Start(Options());
  ASSERT_EQ(PollRecords(15).size(), 15u);
  broker_.SetAssignment({0});
  ASSERT_TRUE(PollUntil([&] { return consumer_->Assignment().size() == 1; }));
  EXPECT_EQ(calls_.back(), "revoked 2");
  // The commit made in on_revoked reached the broker before the heartbeat that released them.
  ASSERT_TRUE(PollUntil([&] { return EventSeen("heartbeat epoch=2 owned=0"); }));
  const std::vector<std::string> events = broker_.events();
  size_t commit_at = events.size(), release_at = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    const bool commit =
        events[i].rfind("commit", 0) == 0 && events[i].find("1=5 2=5") != std::string::npos;
    if (commit && commit_at == events.size()) commit_at = i;
    if (events[i] == "heartbeat epoch=2 owned=0" && release_at == events.size()) release_at = i;
  }
  EXPECT_LT(commit_at, release_at);
  // Nothing more is fetched from the revoked partitions: no fetch the broker receives after the
  // release names them. Arrival order cannot hide an earlier fetch here: fetches, commits and
  // heartbeats share one connection, and every fetch that names them was handed to it before the
  // release heartbeat. The Poll() thread built it before revoking; the I/O thread builds one only
  // after a response with records (the last one came before PollRecords(15) returned), and it
  // sends it before reading the heartbeat answer that revoked them, which came after that.
  const size_t fetches_before = broker_.fetches().size();
  ASSERT_TRUE(PollUntil([&] { return broker_.fetches().size() > fetches_before + 2; }));
  const std::vector<proto::FetchRequest> fetches = broker_.fetches();
  for (size_t i = fetches_before; i < fetches.size(); ++i) {
    for (const auto& p : fetches[i].partitions())
      EXPECT_EQ(p.partition(), 0u) << "a released partition was fetched";
  }
}

TEST_F(GroupConsumerTest, AFencedMemberLosesItsPartitionsAndRejoinsAsANewMember) {
  broker_.SetAssignment({0, 1});
  std::vector<TopicPartition> lost;
  ConsumerOptions options = Options();
  options.listener.on_lost = [&](const std::vector<TopicPartition>& tps) { lost = tps; };
  Start(options);
  ASSERT_EQ(PollRecords(10).size(), 10u);
  const std::string first_id = consumer_->MemberId();
  broker_.FailNextHeartbeat(proto::UNKNOWN_MEMBER_ID);
  ASSERT_TRUE(PollUntil([&] { return lost.size() == 2; }));
  ASSERT_TRUE(PollUntil([&] {
    return !consumer_->MemberId().empty() && consumer_->MemberId() != first_id &&
           consumer_->Assignment().size() == 2;
  }));
  // The rejoin reported nothing owned.
  bool rejoined_empty = false;
  for (const auto& hb : broker_.heartbeats()) {
    if (hb.member_epoch() == 0 && hb.member_id() != first_id) {
      rejoined_empty = hb.owned_partitions_size() == 0;
    }
  }
  EXPECT_TRUE(rejoined_empty);
}

TEST_F(GroupConsumerTest, CloseCommitsAndLeavesAtOnce) {
  broker_.SetAssignment({0});
  Start(Options());
  ASSERT_EQ(PollRecords(5).size(), 5u);
  ASSERT_TRUE(consumer_->Close().ok());
  // The commit reaches the broker before the leave (a regular heartbeat may come in between).
  const std::vector<std::string> events = broker_.events();
  const auto commit = std::find(events.begin(), events.end(), "commit 0=5");
  const auto leave = std::find(events.begin(), events.end(), "leave epoch=-1");
  ASSERT_NE(commit, events.end());
  ASSERT_NE(leave, events.end());
  EXPECT_LT(commit - events.begin(), leave - events.begin());
  EXPECT_EQ(calls_.back(), "revoked 0");
  EXPECT_EQ(consumer_->Poll(milliseconds(0)).status().code(), ErrorCode::kClosed);
}

TEST_F(GroupConsumerTest, AStaticMemberLeavesWithMinusTwo) {
  broker_.SetAssignment({0});
  ConsumerOptions options = Options();
  options.instance_id = "pod-1";
  Start(options);
  ASSERT_EQ(PollRecords(5).size(), 5u);
  ASSERT_TRUE(consumer_->Close().ok());
  const std::vector<std::string> events = broker_.events();
  EXPECT_NE(std::find(events.begin(), events.end(), "leave epoch=-2"), events.end());
  EXPECT_EQ(broker_.heartbeats().front().instance_id(), "pod-1");
}

TEST_F(GroupConsumerTest, AutoCommitAndAsyncCommitCallbacksRunInPoll) {
  broker_.SetAssignment({1});
  ConsumerOptions options = Options();
  options.enable_auto_commit = true;
  options.auto_commit_interval = milliseconds(20);
  Start(options);
  ASSERT_EQ(PollRecords(5).size(), 5u);
  ASSERT_TRUE(PollUntil([&] { return broker_.committed()[1] == 5; }));
  const std::thread::id caller = std::this_thread::get_id();
  bool called = false;
  consumer_->CommitAsync([&](const Status& status) {
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(std::this_thread::get_id(), caller);
    called = true;
  });
  ASSERT_TRUE(PollUntil([&] { return called; }));
}

TEST_F(GroupConsumerTest, PausedPartitionsAreNotFetchedOrReturned) {
  broker_.SetAssignment({0, 1});
  Start(Options());
  ASSERT_TRUE(PollUntil([&] { return consumer_->Assignment().size() == 2; }));
  ASSERT_TRUE(consumer_->Pause({{"t", 1}}).ok());
  ASSERT_TRUE(consumer_->Seek({"t", 0}, 0).ok());
  // No fetch built before Pause() asks for partition 1 at offset 2 (they ask for 0, or 5 after
  // the first records), so one that does was built after it.
  ASSERT_TRUE(consumer_->Seek({"t", 1}, 2).ok());
  const size_t fetches_before = broker_.fetches().size();
  std::vector<ConsumedRecord> records = PollRecords(5);
  ASSERT_EQ(records.size(), 5u);
  for (const ConsumedRecord& r : records)
    EXPECT_EQ(r.partition, 0u);
  // The fetch that was in flight when Pause() returned (if any) may still reach the broker, even
  // after later ones (it is sent from the I/O thread), so requests are told apart by what they
  // ask for, not by their order: partition 1 is in at most that one, and never at offset 2.
  const std::vector<proto::FetchRequest> fetches = broker_.fetches();
  int fetched_paused = 0;
  for (size_t i = fetches_before; i < fetches.size(); ++i) {
    for (const auto& p : fetches[i].partitions()) {
      if (p.partition() != 1) continue;
      ++fetched_paused;
      EXPECT_NE(p.offset(), 2) << "a paused partition was fetched";
    }
  }
  EXPECT_LE(fetched_paused, 1) << "a paused partition was fetched";
  // Resumed, it is fetched again from the position it was given while paused. Every record Poll()
  // returns is kept: partition 1 has only these three left.
  ASSERT_TRUE(consumer_->Resume({{"t", 1}}).ok());
  records = PollRecords(3);
  std::vector<int64_t> resumed;
  for (const ConsumedRecord& r : records) {
    EXPECT_EQ(r.partition, 1u);
    resumed.push_back(r.offset);
  }
  EXPECT_EQ(resumed, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(consumer_->Pause({{"t", 2}}).code(), ErrorCode::kInvalidArgument);
}

TEST_F(GroupConsumerTest, AnOutOfRangeCommittedOffsetFollowsTheResetPolicy) {
  broker_.SetAssignment({0});
  broker_.SetCommitted(0, 100);  // beyond the log end of 5
  broker_.SetLogStart(0, 2);
  Start(Options());
  std::vector<ConsumedRecord> records = PollRecords(3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().offset, 2);
}

TEST_F(GroupConsumerTest, MisuseIsRejected) {
  ConsumerOptions options = Options();
  options.group_id.clear();
  Result<std::unique_ptr<Consumer>> plain = Consumer::Create(options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Subscribe({"t"}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*plain)->Commit().code(), ErrorCode::kInvalidArgument);
  Start(Options());
  EXPECT_EQ(consumer_->Subscribe({}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(consumer_->Assign({{{"t", 0}, 0, StartFrom::kEarliest}}).code(),
            ErrorCode::kInvalidArgument);
  options = Options();
  options.instance_id = "x";
  options.group_id.clear();
  EXPECT_EQ(Consumer::Create(options).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo
