// The group coordinator locks each group on its own: an operation on one group never waits for
// another group's. Run under TSan (build/tsan) to check the locking itself.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/group/coordinator.h"
#include "broker/group/group_errors.h"

namespace choreo::broker::testing {
namespace {

// A thread-safe TopicSource whose Find() of kGate blocks until Open(), so a test can hold an
// operation inside one group's lock for as long as it likes.
class GatedTopics final : public TopicSource {
 public:
  static constexpr char kGate[] = "gated";

  void Set(const std::string& name, uint32_t partitions) {
    std::lock_guard lock(mu_);
    storage::TopicInfo& info = topics_[name];
    if (info.id == storage::TopicId{}) {
      info.id = next_id_;
      next_id_ = storage::NextTopicId(next_id_);
    }
    info.name = name;
    info.config.partitions = partitions;
    ++generation_;
  }
  void Erase(const std::string& name) {
    std::lock_guard lock(mu_);
    topics_.erase(name);
    ++generation_;
  }
  // Blocks until a Find(kGate) is waiting; false after 10 s.
  bool AwaitBlocked() {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_ > 0; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

  std::optional<storage::TopicInfo> Find(std::string_view name) const override {
    std::unique_lock lock(mu_);
    if (name == kGate) {
      ++blocked_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
      --blocked_;
    }
    auto it = topics_.find(std::string(name));
    if (it == topics_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<storage::TopicInfo> List() const override {
    std::lock_guard lock(mu_);
    std::vector<storage::TopicInfo> out;
    for (const auto& [name, info] : topics_)
      out.push_back(info);
    return out;
  }
  uint64_t generation() const override {
    std::lock_guard lock(mu_);
    return generation_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  mutable int blocked_ = 0;
  bool open_ = false;
  std::map<std::string, storage::TopicInfo> topics_;
  storage::TopicId next_id_{1};
  uint64_t generation_ = 0;
};

HeartbeatInput Join(std::vector<std::string> topics) {
  HeartbeatInput in;
  in.member_epoch = kJoinEpoch;
  in.subscribed_topics = std::move(topics);
  in.session_timeout_ms = 60000;
  return in;
}

TEST(GroupConcurrencyTest, AGroupBusyInsideItsLockDoesNotHoldUpAnother) {
  GatedTopics topics;
  topics.Set(GatedTopics::kGate, 1);
  topics.Set("orders", 3);
  GroupCoordinator coordinator(GroupOptions{}, topics);
  const absl::Time now = absl::Now();

  // Group "slow" resolves its subscription under its lock, and blocks there.
  auto slow = std::async(std::launch::async, [&] {
    return coordinator.Heartbeat("slow", Join({GatedTopics::kGate}), now);
  });
  ASSERT_TRUE(topics.AwaitBlocked());

  // Every operation on another group completes meanwhile.
  auto fast = std::async(std::launch::async, [&] {
    absl::StatusOr<HeartbeatOutput> joined = coordinator.Heartbeat("fast", Join({"orders"}), now);
    if (!joined.ok() || joined->assignment.size() != 3) return false;
    std::vector<absl::Status> errors;
    const absl::Status commit = coordinator.CheckCommit(
        "fast", joined->member_id, joined->member_epoch, {{"orders", 0}}, now, &errors);
    return commit.ok() && coordinator.Describe("fast", now).has_value() &&
           coordinator.CheckDeletable("other", now).ok();
  });
  const bool fast_done = fast.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  topics.Open();  // release the slow group either way, so the test ends
  EXPECT_TRUE(fast_done) << "an operation on one group waited for another group's lock";
  EXPECT_TRUE(fast.get());
  absl::StatusOr<HeartbeatOutput> slow_joined = slow.get();
  ASSERT_TRUE(slow_joined.ok()) << slow_joined.status();
  EXPECT_EQ(slow_joined->assignment.size(), 1u);
}

// Many threads on many groups (and several on the same group), with topics changing underneath:
// every answer is consistent and no partition is ever held by two members of a group.
TEST(GroupConcurrencyTest, ConcurrentMembersOfManyGroupsStayConsistent) {
  GatedTopics topics;
  topics.Open();
  for (int t = 0; t < 4; ++t)
    topics.Set("t" + std::to_string(t), 4);
  GroupCoordinator coordinator(GroupOptions{}, topics);
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Threads 0-3 share group "shared"; the others have a group each.
      const std::string group = i < 4 ? "shared" : "own" + std::to_string(i);
      for (int round = 0; round < kRounds; ++round) {
        const absl::Time now = absl::Now();
        absl::StatusOr<HeartbeatOutput> out =
            coordinator.Heartbeat(group, Join({"t0", "t1", "t2", "t3", "t4"}), now);
        if (!out.ok()) {
          ++failures;
          continue;
        }
        for (int beat = 0; beat < 3 && out.ok(); ++beat) {
          HeartbeatInput in;
          in.member_id = out->member_id;
          in.member_epoch = out->member_epoch;
          in.owned = out->assignment;
          out = coordinator.Heartbeat(group, in, absl::Now());
        }
        if (!out.ok()) {
          ++failures;
          continue;
        }
        std::vector<absl::Status> errors;
        (void)coordinator.CheckCommit(
            group, out->member_id, out->member_epoch,
            std::vector<GroupPartition>(out->assignment.begin(), out->assignment.end()),
            absl::Now(), &errors);
        if (std::optional<GroupSnapshot> snapshot = coordinator.Describe(group, absl::Now())) {
          PartitionSet seen;
          for (const MemberSnapshot& member : snapshot->members) {
            for (const GroupPartition& p : member.assignment) {
              if (!seen.insert(p).second) ++failures;  // given to two members
            }
          }
        }
        (void)coordinator.List(absl::Now());
        HeartbeatInput leave;
        leave.member_id = out->member_id;
        leave.member_epoch = kLeaveEpoch;
        if (!coordinator.Heartbeat(group, leave, absl::Now()).ok()) ++failures;
      }
    });
  }
  // Topics come and go underneath (t4 appears and disappears; partitions are added to t0).
  std::thread admin([&] {
    for (int i = 0; i < 200; ++i) {
      if (i % 2 == 0) {
        topics.Set("t4", 2);
      } else {
        topics.Erase("t4");
      }
      topics.Set("t0", 4 + static_cast<uint32_t>(i / 50));
    }
  });
  for (std::thread& thread : threads)
    thread.join();
  admin.join();
  EXPECT_EQ(failures.load(), 0);
  // Every member left: no group remains.
  EXPECT_TRUE(coordinator.List(absl::Now()).empty());
}

}  // namespace
}  // namespace choreo::broker::testing
