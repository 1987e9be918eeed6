// Membership: a consumer's membership in a group, kept alive by a heartbeat thread.
//
// The thread joins (epoch 0, with a member id generated here), then heartbeats every interval the
// broker asks for, each time reporting the partitions the consumer owns: those of the latest
// assignment plus those it is still consuming (see BeginConsuming/Released). Each answer's
// assignment replaces the previous one. A heartbeat goes out at once after Released(), so a
// partition reaches its next owner as soon as it is given up.
//
// Loss: when the broker answers UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION (removed or fenced), or
// no heartbeat sent within the last session timeout was answered (so the broker must be about to
// remove this member, if it has not already), the membership is lost: the assignment is cleared,
// View::lost is set and nothing is sent until the consumer has dropped its partitions and called
// AckLost(); then it rejoins with a fresh member id (so commits of the old identity stay fenced).
// Measuring the session from when a heartbeat was *sent* makes the client give up no later than
// the broker does.
//
// Hung application: while the consumer's Poll() is not running, the time since it last returned
// is checked against max_poll_interval. Past it, this thread leaves the group (epoch -1, so the
// partitions move at once; a static member sends -2 and its partitions wait for it up to the
// session timeout, as with Kafka), sets View::poll_expired and sends nothing more until the
// consumer has dropped its partitions and called AckLost() (on its next Poll()); it then rejoins
// with a fresh member id.
//
// A lost connection is re-opened by this thread (ConnectionHolder::Ensure) and heartbeats resume
// with the same identity; after a broker restart they get UNKNOWN_MEMBER_ID and the member
// rejoins.
//
// Threading: thread-safe. `on_change(lost)` runs on the heartbeat thread, without locks held,
// after the assignment changed, the membership was lost (lost = true: stop fetching at once), or a
// fatal error occurred; it must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/consumer/connection_holder.h"

namespace choreo::client_internal {

struct MembershipOptions {
  std::string group_id;
  std::string instance_id;  // static membership when not empty
  std::string client_id;
  std::chrono::milliseconds session_timeout{10000};
  std::chrono::milliseconds rebalance_timeout{60000};
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds max_poll_interval{300000};
};

class Membership {
 public:
  using PartitionSet = std::set<TopicPartition>;

  struct View {
    std::string member_id;
    int32_t member_epoch = 0;  // 0 until joined
    int32_t group_epoch = 0;
    PartitionSet assignment;  // the latest assignment from the broker
    bool lost = false;        // drop every partition, then AckLost()
    // Left because Poll() was not called for max_poll_interval; like `lost`, then AckLost().
    bool poll_expired = false;
    Status error;  // a non-retriable heartbeat error (bad subscription, ...)
  };

  // `connections` is borrowed and must outlive this.
  Membership(const MembershipOptions& options, ConnectionHolder& connections,
             std::function<void(bool lost)> on_change);
  // Stops the thread without leaving (see Leave()).
  ~Membership();

  // Sets the subscription (topic names and/or a pattern) and starts heartbeating; the next
  // heartbeat carries it.
  void Subscribe(std::vector<std::string> topics, std::string pattern);
  View Current() const;

  // The consumer is about to consume `partitions`. Returns those still in the assignment, now
  // reported as owned until Released(); the others must not be consumed.
  PartitionSet BeginConsuming(const PartitionSet& partitions);
  // The consumer no longer consumes `partitions` (revoked): reported at once.
  void Released(const PartitionSet& partitions);
  // After a loss: the consumer has dropped everything; rejoin.
  void AckLost();
  // Poll() started / returned: max_poll_interval counts from the last return while none runs.
  void PollStarted();
  void PollEnded();
  // Leaves the group (epoch -1, or -2 with an instance id) and stops heartbeating. Waits up to
  // `timeout` for the broker's answer. Idempotent.
  Status Leave(std::chrono::milliseconds timeout);

  // Tests only: with `paused`, nothing is sent and the session is not checked, as if the process
  // were frozen.
  void SetPausedForTesting(bool paused);

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  proto::Request BuildHeartbeat() CHOREO_REQUIRES(mu_);
  // Returns true if on_change should run.
  bool HandleAnswer(const Result<proto::Response>& result, Clock::time_point sent)
      CHOREO_REQUIRES(mu_);
  bool MarkLost(const std::string& why) CHOREO_REQUIRES(mu_);
  // Past max_poll_interval: the leave request to send (built under the lock), the state reset.
  proto::Request LeaveForPollTimeout() CHOREO_REQUIRES(mu_);
  std::string NewMemberId() CHOREO_REQUIRES(mu_);

  const MembershipOptions options_;
  ConnectionHolder& connections_;
  const std::function<void(bool lost)> on_change_;

  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ CHOREO_GUARDED_BY(mu_) = false;
  bool subscribed_ CHOREO_GUARDED_BY(mu_) = false;
  bool subscription_dirty_ CHOREO_GUARDED_BY(mu_) = false;  // send it with the next heartbeat
  uint64_t subscription_version_ CHOREO_GUARDED_BY(mu_) = 0;
  bool left_ CHOREO_GUARDED_BY(mu_) = false;
  bool paused_ CHOREO_GUARDED_BY(mu_) = false;
  bool urgent_ CHOREO_GUARDED_BY(mu_) = false;  // heartbeat now
  std::vector<std::string> topics_ CHOREO_GUARDED_BY(mu_);
  std::string pattern_ CHOREO_GUARDED_BY(mu_);
  View view_ CHOREO_GUARDED_BY(mu_);
  PartitionSet consuming_ CHOREO_GUARDED_BY(mu_);
  bool in_poll_ CHOREO_GUARDED_BY(mu_) = false;
  Clock::time_point last_poll_ CHOREO_GUARDED_BY(mu_);  // when Poll() last returned
  Clock::time_point next_due_ CHOREO_GUARDED_BY(mu_);
  Clock::time_point last_answered_send_ CHOREO_GUARDED_BY(mu_);
  uint64_t id_counter_ CHOREO_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace choreo::client_internal
