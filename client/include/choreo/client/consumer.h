// Consumer: reads records, either from explicitly assigned partitions (Assign) or as a member of
// a consumer group (Subscribe), where the broker spreads a topic's partitions over the members.
//
// Groups. Members of one group (same ConsumerOptions::group_id) share the partitions of the
// topics they subscribe to: each partition is consumed by one member at a time, and the group's
// progress is its committed offsets, kept by the broker across restarts. The broker assigns
// partitions (balanced and sticky) and moves them incrementally: a partition moves to another
// member only after its current owner has revoked it (RebalanceListener::on_revoked, then a
// commit); partitions that do not move are consumed throughout. A partition the member starts
// consuming begins at the group's committed offset, or, if there is none (or it is out of range),
// at `auto_offset_reset`.
//
// Delivery is at least once: after a member crashes, is removed (no heartbeat within
// `session_timeout`) or loses its partitions otherwise, the next owner starts at the last commit,
// so records processed after it are delivered again. Commit often (auto-commit does, every
// `auto_commit_interval`, from Poll()) to keep that window small.
//
// Threads: a group consumer runs a heartbeat thread; both kinds run the connection's I/O thread,
// which also decodes and buffers prefetched records. Everything the application sees — records,
// rebalance callbacks, CommitAsync callbacks — happens on the thread calling Poll() (or Commit(),
// Close()).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "choreo/client/group.h"
#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

namespace client_internal {
class ConsumerTestPeer;
}  // namespace client_internal

// Where to start a partition that has no explicit or committed offset.
enum class StartFrom { kEarliest, kLatest };

// Rebalance callbacks. They run on the thread that calls Poll() (or Close()), from inside that
// call, so they may call the consumer: committing in on_revoked commits before the partitions
// move. Each is optional.
struct RebalanceListener {
  // Partitions this member starts consuming, after their start positions are known (Seek() here
  // overrides them).
  std::function<void(const std::vector<TopicPartition>&)> on_assigned = nullptr;
  // Partitions this member must give up; they move once this returns (and, with auto-commit,
  // their positions are committed). Also called for every partition at Close() and Unsubscribe().
  std::function<void(const std::vector<TopicPartition>&)> on_revoked = nullptr;
  // Partitions lost without a chance to commit: this member was removed from the group (its
  // heartbeats went unanswered for session_timeout, e.g. a network partition or a broker restart)
  // and they may already belong to another member; commits would be rejected. Default (unset):
  // on_revoked is called instead.
  std::function<void(const std::vector<TopicPartition>&)> on_lost = nullptr;
};

struct ConsumerOptions {
  ClientOptions client;
  // Bytes requested per partition per fetch. Default: 1 MiB.
  uint64_t max_partition_fetch_bytes = 1ull << 20;
  // Bytes requested per fetch overall. Default: 16 MiB.
  uint64_t max_fetch_bytes = 16ull << 20;
  // The broker holds a fetch up to this long waiting for data. Default: 500 ms.
  std::chrono::milliseconds max_wait{500};
  // Records fetched ahead of Poll() are buffered up to about this many bytes; fetching pauses
  // above it. Default: 32 MiB.
  uint64_t max_buffered_bytes = 32ull << 20;
  // Most records one Poll() returns. Default: 1000.
  size_t max_poll_records = 1000;

  // ---- Groups (Subscribe) ----------------------------------------------------------------------

  // The group to join; required by Subscribe() and the commit calls. Default: none.
  std::string group_id = {};
  // Static membership: a stable id per instance (e.g. the pod name). A member that closes and
  // comes back with the same instance id within session_timeout gets its partitions back without
  // a rebalance (they wait, unconsumed, meanwhile). Run at most one process per instance id.
  // Default: none (dynamic membership).
  std::string instance_id = {};
  // A member whose heartbeats stop for this long is removed and its partitions reassigned; a
  // consumer that cannot get a heartbeat answered for this long drops its partitions itself
  // (on_lost). The broker clamps it to its bounds (default 100 ms .. 5 min). Heartbeats are sent
  // every min(1 s, session_timeout / 3) by default (the broker decides). Default: 10 s.
  std::chrono::milliseconds session_timeout{10000};
  // A member asked to give up partitions that has not done so after this long (e.g. Poll() is not
  // called) is removed from the group. Default: 60 s.
  std::chrono::milliseconds rebalance_timeout{60000};
  // Liveness of the application: a member whose Poll() is not called for this long (measured
  // from when the last Poll() returned; a Poll() waiting for records counts as polling) is taken
  // to be stuck, and its heartbeat thread leaves the group so that its partitions go to the other
  // members instead of waiting unconsumed (as Kafka's max.poll.interval.ms; heartbeats alone only
  // prove the process is alive). A static member (instance_id) leaves temporarily, as at Close():
  // its partitions move only if it is not back within session_timeout. The application learns it
  // from its next Poll(), which calls on_lost (no commit: the partitions may be another member's
  // already), returns kMaxPollIntervalExceeded and rejoins the group; commits made before that
  // Poll() fail with kMaxPollIntervalExceeded. Keep the processing of max_poll_records records
  // well below it. Default: 5 min.
  std::chrono::milliseconds max_poll_interval{300000};
  // Where a partition without a committed offset starts, and where one whose committed offset is
  // out of range (retention removed it) moves. Default: kEarliest — a new service sees the events
  // already retained rather than silently skipping them.
  StartFrom auto_offset_reset = StartFrom::kEarliest;
  // Commit the positions of the records returned so far: from Poll() every auto_commit_interval
  // (asynchronously), and synchronously before partitions are revoked. Default: true, every 5 s.
  bool enable_auto_commit = true;
  std::chrono::milliseconds auto_commit_interval{5000};
  // Close() commits the current positions before leaving the group. Turn off when records
  // returned by Poll() may not all be processed at Close(). Default: true.
  bool commit_on_close = true;
  RebalanceListener listener = {};
};

struct PartitionAssignment {
  TopicPartition partition;
  // Start offset; std::nullopt means `start_from`.
  std::optional<int64_t> offset;
  StartFrom start_from = StartFrom::kEarliest;
};

// Reported to a CommitAsync() callback.
using CommitCallback = std::function<void(const Status&)>;

// Not thread-safe: use one Consumer from one thread at a time (Wakeup() excepted).
//
// Starting before the broker: Create() does not need the broker to be up. The connection is
// then made in the background (by the heartbeat thread once subscribed; by Assign() otherwise),
// retried with backoff (100 ms doubling to 1 s, jittered). Assign() and Committed() wait up to
// request_timeout for a connection; Poll() returns no records until there is one.
//
// A lost connection is re-opened (by the heartbeat thread of a group consumer, by Poll()
// otherwise); other calls made while it is down fail with kConnectionFailed. After Close(), every
// call fails with kClosed.
class Consumer {
 public:
  // Checks the options and tries once to connect and handshake; a broker that cannot be reached
  // (refused, unresolvable, timed out) is not an error: see above. Errors: kInvalidArgument (bad
  // options, bad broker address), kUnsupportedVersion, or the broker's handshake error.
  static Result<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  // Close().
  ~Consumer();

  // ---- Explicit assignment ---------------------------------------------------------------------

  // Replaces the set of partitions read. Start offsets given as `start_from` are resolved here
  // (kEarliest: the log start offset, kLatest: the high watermark). An empty list unassigns all.
  // Errors: kUnknownTopic, kInvalidPartition; kInvalidArgument while subscribed;
  // kConnectionFailed (no connection within request_timeout). On error the previous assignment
  // stays.
  Status Assign(const std::vector<PartitionAssignment>& assignments);

  // ---- Groups ----------------------------------------------------------------------------------

  // Joins `group_id` (or changes the subscription) with these topics; partitions arrive through
  // Poll(). Topics created later, and partitions added, are picked up. Errors: kInvalidArgument
  // (no group_id, no topics, or partitions were Assign()ed).
  Status Subscribe(const std::vector<std::string>& topics);
  // As Subscribe(), for every topic whose whole name matches an ECMAScript regular expression.
  Status SubscribePattern(const std::string& pattern);
  // Revokes every partition (on_revoked, auto-commit) and leaves the group.
  Status Unsubscribe();
  // The partitions being consumed (assigned or subscribed), sorted.
  std::vector<TopicPartition> Assignment() const;
  // This member's identity in its group ("" and 0 before it has joined).
  std::string MemberId() const;
  int32_t MemberEpoch() const;

  // Commits the positions of every consumed partition (the offsets after the records Poll() has
  // returned) and waits for the broker. Errors: kInvalidArgument (no group), kUnknownMemberId
  // (this member was removed: a zombie's commit is rejected, by the broker or, when the
  // consumer knows already, before sending), kMaxPollIntervalExceeded (see max_poll_interval),
  // kIllegalGeneration (a stale epoch, or a partition this member no longer owns),
  // kConnectionFailed, kTimeout.
  Status Commit();
  // Commits the given offsets (next offset to consume, plus metadata). Errors: as Commit().
  Status Commit(const std::map<TopicPartition, OffsetAndMetadata>& offsets);
  // Commit() without waiting; `callback` (optional) runs with the outcome inside a later Poll(),
  // Commit() or Close() call.
  void CommitAsync(CommitCallback callback = nullptr);
  // The group's committed offsets for `partitions` (std::nullopt where none). Errors:
  // kInvalidArgument (no group), kUnknownTopic, kInvalidPartition, kConnectionFailed (no
  // connection within request_timeout).
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Committed(
      const std::vector<TopicPartition>& partitions);

  // ---- Reading ---------------------------------------------------------------------------------

  // Moves the read position of a consumed partition. Errors: kInvalidArgument (not consumed, or
  // a negative offset).
  Status Seek(const TopicPartition& tp, int64_t offset);
  // The offset of the next record Poll() will return for `tp`. Errors: kInvalidArgument.
  Result<int64_t> Position(const TopicPartition& tp) const;
  // Paused partitions are not fetched and Poll() returns none of their records, but they stay
  // assigned. Only a fetch already under way when Pause() returns may still ask for them (it can
  // reach the broker after later ones); what it brings is buffered, like the records buffered
  // before, until Resume(). Seek() works while paused (and drops the buffer). Resume() makes the
  // next Poll() return the buffered records and fetch the partition again. Errors:
  // kInvalidArgument (not consumed).
  Status Pause(const std::vector<TopicPartition>& partitions);
  Status Resume(const std::vector<TopicPartition>& partitions);

  // Returns the records available now, waiting up to `timeout` for at least one. Records of one
  // partition come in offset order; positions move past the records returned. A group consumer
  // handles rebalances here first (callbacks, auto-commit). Errors: kInvalidArgument (nothing
  // assigned and not subscribed), kOffsetOutOfRange (an assigned partition's position is outside
  // the log; Seek() to recover), kUnknownTopic (deleted), kCorruptMessage, kConnectionFailed (an
  // assigned consumer whose connection cannot be re-opened), or a group error such as
  // kInvalidRequest (a bad pattern), kMaxPollIntervalExceeded (this member had left its group
  // because Poll() was not called for max_poll_interval; see there), kWakeup (Wakeup()). A
  // partition error is reported only when no records are ready; it comes back on the next Poll()
  // until resolved. Until the consumer has a connection to the broker (it was created before the
  // broker was up), Poll() returns no records.
  Result<std::vector<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);

  // Makes a Poll() that is waiting for records return kWakeup promptly; if none is running, the
  // next Poll() returns kWakeup at once (records buffered meanwhile are returned by the Poll()
  // after it). One Wakeup() interrupts one Poll(). The one method that may be called from any
  // thread, concurrently with the others, e.g. to stop a consumer loop from a signal-handling
  // thread: wake it up, let it see the stop flag, and Close() it from its own thread.
  void Wakeup();

  // A group consumer: revokes its partitions (on_revoked), commits their positions (with
  // commit_on_close), and leaves the group at once, so they move without waiting for the session
  // timeout. Then closes the connection. Returns the commit's outcome. A member that has lost its
  // partitions (or left for max_poll_interval) and not polled since drops them with on_lost and
  // commits nothing; with commit_on_close it returns the reason. Idempotent.
  Status Close();

  class Impl;

 private:
  friend class client_internal::ConsumerTestPeer;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
