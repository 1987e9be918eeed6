// StepSender: sends finished saga steps to the broker as StepCommit requests, one at a time.
//
// A step is a handled input event (topic, partition, offset) with the events its handler
// published. The sender takes every step finished while its previous request was in flight
// (group commit on the client side: many steps, one request, one durable broker write), groups
// their outputs into one idempotent batch per output partition, asks the service (StepSink) for
// the commit that now describes each touched input partition, and sends it all as ONE request
// that the broker applies atomically.
//
// Outcomes:
//  - acknowledged: sequences advance, the sink is told (stats, revocation waits);
//  - unknown (connection lost, timeout) or retriable broker errors (storage, shutting down): the
//    SAME request is resent after reconnecting, with the member's current epoch; a request that
//    was applied is recognised by its producer sequences and answered as a duplicate, so nothing is
//    published twice;
//  - fencing (the member lost partitions or the group) or sequence errors: the request is
//    abandoned, the producer epoch is bumped (sequences restart, any zombie request of ours is
//    fenced) and the sink resynchronises from the broker's committed offsets, where the truth is;
//  - anything else (a deleted output topic, an invalid request): fatal, reported to the sink.
//
// Threading: one thread of its own. Add() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/saga/topic_ensurer.h"

namespace choreo::client_internal {
class Connection;
}  // namespace choreo::client_internal

namespace choreo::proto {
class Request;
}  // namespace choreo::proto

namespace choreo::saga::internal {

// An event a step publishes, already encoded as a batch payload entry (proto::AppendRecord), so
// that building a request only concatenates bytes: a step request carries thousands of records,
// and copying each into protobuf objects was a fifth of the saga layer's CPU.
struct StepOutput {
  std::string topic;
  std::string key;      // the partitioning key (the saga id)
  std::string encoded;  // a RecordList entry: tag, length, Record body
  int64_t timestamp_ms = 0;

  static StepOutput FromRecord(std::string topic, const Record& record);
};

// What a step did, for the counters.
enum class StepOutcome {
  kNone,          // bookkeeping (the service's own dead-letter records): commit only
  kHandled,       // the handler succeeded
  kSkipped,       // no handler or no envelope
  kDeadLettered,  // the handler failed its last attempt
  kParked,        // the saga has a dead letter
  kReplayed,      // a replay or discard request carried out
};

struct StepResult {
  TopicPartition input = {};
  int64_t offset = 0;
  uint64_t tracker_id = 0;  // the PartitionProgress it belongs to; stale ones are dropped
  std::vector<StepOutput> outputs = {};
  std::string type = {};  // ce_type of the input (for the counters)
  StepOutcome outcome = StepOutcome::kHandled;
  uint32_t replayed = 0;  // events handled again by a replay step

  uint64_t OutputBytes() const;
};

struct InputCommit {
  TopicPartition partition;
  int64_t offset = 0;
  std::string metadata;
};

// The service side of the sender.
class StepSink {
 public:
  virtual ~StepSink() = default;
  // Under the service's lock: drops results of partitions no longer owned (erasing them from
  // `results`), finishes the rest in their PartitionProgress and returns the commits of every
  // partition touched, with the member's identity.
  virtual std::vector<InputCommit> Finish(std::vector<StepResult>& results, std::string* member_id,
                                          int32_t* member_epoch) = 0;
  // The member's current identity (for a resent request).
  virtual void Member(std::string* member_id, int32_t* member_epoch) = 0;
  virtual void Acknowledged(const std::vector<StepResult>& results) = 0;
  // The request was not applied (or may not have been): drop these results and reload every
  // partition from the broker's committed offsets.
  virtual void Resync(const std::vector<StepResult>& results, const Status& why) = 0;
  virtual void Fatal(const Status& why) = 0;
};

class StepSender {
 public:
  struct Options {
    ClientOptions client;
    std::string group_id;
    uint64_t max_request_bytes = 4ull << 20;
    // Sequences are int32; the broker accepts them wrapping after INT32_MAX, but the sender keeps
    // them small: once a partition's next sequence passes this, the producer starts a new epoch
    // (sequences restart at 0) after the acknowledgement. A request carries far fewer records
    // than 2^30. Default: 2^30 (tests lower it).
    int32_t renew_epoch_after_sequence = 1 << 30;
  };
  // `sink` and `topics` must outlive the sender.
  StepSender(Options options, StepSink& sink, TopicEnsurer& topics);
  ~StepSender();

  // Connects and obtains a producer id. Errors: the connection's, InitProducer's.
  Status Start();
  void Add(StepResult result);
  // Sends what is queued, waits up to `timeout` for it, then stops the thread. Idempotent.
  void Stop(std::chrono::milliseconds timeout);

  // Steps queued and not yet taken into a request.
  size_t queued() const;
  // Epochs started because sequences grew large (for tests and metrics).
  uint64_t epochs_renewed() const { return epochs_renewed_.load(); }

 private:
  struct Request;
  void Run();
  std::vector<StepResult> Take();
  // Decides what `results` commit (through the sink); false if nothing is left to send.
  bool Build(std::vector<StepResult>& results, Request& request);
  // The request's bytes: one batch per output partition with the current sequences. The same
  // bytes every time for the same results, so a resend after an unknown outcome is recognised as
  // a duplicate, and nothing needs keeping between attempts but the results.
  Result<proto::Request> Encode(const std::vector<StepResult>& results, Request& request);
  // Sends until acknowledged or definitively failed; false after a fatal error.
  bool Send(std::vector<StepResult>& results, Request& request);
  Status Connect();
  Status BumpEpoch();

  const Options options_;
  StepSink& sink_;
  TopicEnsurer& topics_;

  mutable Mutex mu_;
  CondVar cv_;
  std::vector<StepResult> queue_ CHOREO_GUARDED_BY(mu_);
  bool stopping_ CHOREO_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point stop_deadline_ CHOREO_GUARDED_BY(mu_);

  // Sender thread only.
  std::unique_ptr<client_internal::Connection> connection_;
  int64_t producer_id_ = -1;
  int32_t producer_epoch_ = 0;
  std::map<std::pair<std::string, uint32_t>, int32_t> next_sequence_;
  std::atomic<uint64_t> epochs_renewed_{0};
  std::thread thread_;
};

}  // namespace choreo::saga::internal
