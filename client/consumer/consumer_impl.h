// Consumer::Impl: the state behind the public Consumer. consumer.cc holds the facade, explicit
// assignment and the Poll loop; consumer/group_consumer.cc the group parts (subscription,
// rebalance handling, commits, close).
//
// Threading: the public methods run on the application's thread (one at a time). The fetcher and
// the membership have threads of their own and are thread-safe; everything else here (mode,
// owned partitions, auto-commit schedule) belongs to the application's thread. Async commit
// completions are queued from the I/O thread and run by the application's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "choreo/client/consumer.h"
#include "choreo/common/mutex.h"
#include "client/consumer/connection_holder.h"
#include "client/consumer/fetcher.h"
#include "client/consumer/group_requests.h"
#include "client/consumer/membership.h"

namespace choreo {

class Consumer::Impl {
 public:
  using Clock = std::chrono::steady_clock;
  using PartitionSet = std::set<TopicPartition>;

  // `connection` is null if the broker could not be reached yet (`not_connected` says why).
  Impl(const ConsumerOptions& options, std::unique_ptr<client_internal::Connection> connection,
       Status not_connected);
  ~Impl();

  Status Assign(const std::vector<PartitionAssignment>& assignments);
  Status Subscribe(std::vector<std::string> topics, std::string pattern);
  Status Unsubscribe();
  std::vector<TopicPartition> Assignment() const;
  std::string MemberId() const;
  int32_t MemberEpoch() const;

  Status CommitPositions();
  Status Commit(const client_internal::OffsetMap& offsets);
  void CommitAsync(CommitCallback callback);
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Committed(
      const std::vector<TopicPartition>& partitions);

  Status Seek(const TopicPartition& tp, int64_t offset);
  Result<int64_t> Position(const TopicPartition& tp) const;
  Status SetPaused(const std::vector<TopicPartition>& partitions, bool paused);
  Result<std::vector<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);
  // Thread-safe.
  void Wakeup();
  Status Close();

  // Tests: the group membership, or nullptr when not subscribed.
  client_internal::Membership* membership() { return membership_.get(); }

 private:
  enum class Mode { kNone, kAssigned, kSubscribed };

  Status CheckOpen() const;
  Status CheckGroup() const;
  Status NotConsumed(const TopicPartition& tp) const;
  // Applies what the membership learned: loss, revocations, new partitions (with callbacks).
  // Errors: the membership's error, kMaxPollIntervalExceeded (once, after the partitions were
  // dropped).
  Status Reconcile();
  // Whether this member may commit now: not after it lost its partitions or left the group for
  // want of Poll() calls (the partitions may be another member's by now) until Poll() has
  // caught up.
  Status CheckMayCommit() const;
  Result<std::vector<ConsumedRecord>> PollLoop(std::chrono::milliseconds timeout);
  // At Close()/Unsubscribe() of a member that lost its partitions (CheckMayCommit() fails):
  // drops them with on_lost instead of revoking (and committing), and returns why.
  Status DropIfLost();
  void Revoke(const PartitionSet& partitions);
  void StartConsuming(const PartitionSet& partitions);
  // Positions of the partitions this consumer may commit.
  client_internal::OffsetMap PositionsToCommit() const;
  // An OffsetCommit of `offsets` as this member (its id and epoch when subscribed; without a
  // subscription an administrative commit, accepted while the group is empty).
  proto::Request OffsetCommitRequest(const client_internal::OffsetMap& offsets) const;
  void MaybeAutoCommit();
  void RunCompletions();
  void Notify(const std::function<void(const std::vector<TopicPartition>&)>& callback,
              const PartitionSet& partitions);

  const ConsumerOptions options_;
  client_internal::ConnectionHolder connections_;
  client_internal::Fetcher fetcher_;
  std::unique_ptr<client_internal::Membership> membership_;
  bool closed_ = false;
  Status close_status_;
  Mode mode_ = Mode::kNone;
  PartitionSet owned_;  // group partitions being consumed
  Clock::time_point next_auto_commit_;
  std::atomic<bool> wakeup_{false};  // Wakeup() called; the next (or current) Poll() returns

  Mutex completions_mu_;
  CondVar completions_changed_;
  std::vector<std::function<void()>> completions_ CHOREO_GUARDED_BY(completions_mu_);
  int async_commits_in_flight_ CHOREO_GUARDED_BY(completions_mu_) = 0;
};

namespace client_internal {

// Test access to a Consumer's internals.
class ConsumerTestPeer {
 public:
  // Stops (or resumes) the consumer's heartbeats, as if its process were frozen; false if it is
  // not subscribed.
  static bool PauseHeartbeats(Consumer& consumer, bool paused) {
    Membership* membership = consumer.impl_->membership();
    if (membership == nullptr) return false;
    membership->SetPausedForTesting(paused);
    return true;
  }
};

}  // namespace client_internal
}  // namespace choreo
