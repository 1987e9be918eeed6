// ProducerCore: the producer behind the public Producer class.
//
// Threads and what they do:
//  - callers' threads: SubmitOne()/SubmitBatch() size records, charge buffer memory (waiting for
//    room up to max_block) and encode them into a batch, or put them in the topic's queue of
//    submissions waiting for metadata. Flush() and Close() wait on `changed_`.
//  - the sender thread (RunSender, sender.cc): closes batches whose linger expired, encodes them
//    (outside the lock), admits them to their partition's in-flight window, sends produce and
//    metadata requests, resends, expires records past delivery_timeout, and re-establishes the
//    connection (Connection::Open + InitProducer with the same id and epoch). It alone uses
//    `connection_`, outside the lock.
//  - the connection's I/O thread: runs OnProduceResponse/OnMetadataResponse (responses.cc).
// All state below `mu_` is guarded by it. Nothing blocks while holding it: no I/O, no encoding, no
// user callback. Outcomes are queued on `completions_` under the lock (so their order is the
// order they were decided in, oldest batch of a partition first) and run after it is released.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "choreo/client/producer.h"
#include "client/connection.h"
#include "client/producer/accumulator.h"
#include "client/producer/completion_queue.h"
#include "client/producer/init_producer.h"

namespace choreo::client_internal {

// Checks the options Producer::Create() accepts. Errors: kInvalidArgument.
Status ValidateProducerOptions(const ProducerOptions& options);
// How long a record waits for its topic's metadata: max_block (at most delivery_timeout), or
// delivery_timeout when max_block is 0 (which only means "do not wait for buffer memory").
std::chrono::milliseconds MetadataWait(const ProducerOptions& options);

class ProducerCore {
 public:
  // Takes an open connection on which InitProducer (if idempotent) already succeeded, or null
  // when the broker could not be reached yet (`not_connected` says why): the sender thread then
  // connects, with backoff, and obtains the producer id (`identity` is then {-1, 0}).
  ProducerCore(const ProducerOptions& options, std::unique_ptr<Connection> connection,
               ProducerIdentity identity, Status not_connected = OkStatus());
  // Close(request_timeout) if not closed yet.
  ~ProducerCore();

  // Starts the sender thread. Call once, before Submit().
  void Start();

  // One Send(): one record.
  void SubmitOne(std::string_view topic, std::optional<uint32_t> partition, Record&& record,
                 SendCallback callback);
  // One SendBatch(): a batch of its own with one callback.
  void SubmitBatch(std::string_view topic, uint32_t partition, std::vector<Record>&& records,
                   SendCallback callback);
  Status Flush(std::chrono::milliseconds timeout);
  Status Close(std::chrono::milliseconds timeout);

 private:
  using Clock = ProducerClock;
  using Lock = std::unique_lock<std::mutex>;

  // A request the sender thread sends after releasing the lock.
  struct SendJob {
    BatchPtr batch;
    std::shared_ptr<const std::string> body;
    std::string suffix;  // SequenceSuffix(base_sequence)
  };
  struct Work {
    std::vector<std::string> metadata;  // topics to fetch
    std::vector<SendJob> sends;         // in send order
    std::vector<BatchPtr> to_encode;
    std::vector<Result<std::string>> encoded;  // filled outside the lock, index = to_encode
    bool empty() const { return metadata.empty() && sends.empty() && to_encode.empty(); }
  };

  // ---- producer_core.cc: submissions, flush tracking ----
  void Submit(std::string_view topic, Submission& submission);
  Status Admit(std::string_view topic, Submission& submission, Lock& lock);
  // Places `submission` (its order not tracked yet); on kWait queues it. Returns a failure to
  // report (the submission is then untouched), or OK.
  Status PlaceOrQueue(TopicState& topic, Submission& submission, LazyNow& now);
  // Places the waiting submissions of `topic` now that its metadata is known.
  void DrainWaiting(TopicState& topic, Clock::time_point now);
  uint64_t BatchLimit(const TopicState& topic) const;
  void WakeSender(Clock::time_point due = Clock::time_point::min());

  // ---- outcomes.cc: queuing outcomes (under the lock) ----
  void CompleteBatch(ProducerBatch& batch, const Status& error, bool release_memory);
  void CompleteSubmission(Submission& submission, const Status& error);
  // Runs after a completion's callbacks: the records no longer count for Flush() or memory.
  void Finished(uint64_t order, uint64_t memory_bytes);
  // Completes the resolved batches at the front of `partition`'s window.
  void CompletePopped(PartitionState& partition);
  // Fails every record not yet reported with `status` and forgets all batches.
  void FailAll(const Status& status);
  void FailPartition(PartitionState& partition, const Status& status, Clock::time_point now);
  void SetFatal(const Status& status);

  // ---- sender.cc: the sender thread ----
  void RunSender();
  void Reconnect();
  void BreakConnection(Clock::time_point now);
  // Under the lock: expires records, closes lingering batches, and picks what to fetch, encode,
  // send and resend. `*next_wakeup` is lowered to the next deadline found.
  void CollectWork(Clock::time_point now, Work& work, Clock::time_point* next_wakeup,
                   bool can_send);
  void Expire(TopicState& topic, Clock::time_point now);
  // Without the lock: sends the requests (in order), then encodes.
  void Execute(Work& work, uint64_t generation);
  void StoreEncoded(Work& work);
  void UpdateLimits(const BrokerInfo& broker);

  // ---- responses.cc: I/O thread ----
  void OnProduceResponse(const BatchPtr& batch, uint64_t generation,
                         Result<proto::Response> response);
  void OnMetadataResponse(const std::string& topic, uint64_t generation,
                          Result<proto::Response> response);
  void TopicUnknown(TopicState& topic, const Status& status, Clock::time_point now);
  void ApplyMetadata(TopicState& topic, uint32_t partition_count, uint64_t max_message_bytes,
                     Clock::time_point now);

  const ProducerOptions options_;
  // Set by the first successful InitProducer (in Create(), or on the sender thread if the broker
  // was not reachable then); read only by the sender thread afterwards. No batch is encoded
  // before it is set: batches need metadata, which needs the connection InitProducer opens.
  ProducerIdentity identity_;
  std::unique_ptr<Connection> connection_;  // sender thread only (Close() after joining it)
  std::thread sender_;
  CompletionQueue completions_;

  std::mutex mu_;
  std::condition_variable wake_;     // the sender thread waits on it
  std::condition_variable changed_;  // Flush(), Close() and Send()s waiting for memory
  Accumulator accumulator_;
  // First send number of every batch and waiting submission not yet completed (Flush()).
  std::multiset<uint64_t> unfinished_;
  uint64_t next_order_ = 1;
  uint64_t buffered_bytes_ = 0;  // charged against buffer_memory_bytes
  uint32_t flushing_ = 0;        // Flush() calls in progress: no linger
  bool close_called_ = false;
  bool closing_ = false;   // no new sends, no linger
  bool stopping_ = false;  // the sender thread exits
  Status fatal_;
  // Limits from the handshake (and ClientOptions::max_frame_bytes).
  uint64_t frame_limit_ = 0;
  uint64_t broker_batch_limit_ = 0;
  // The connection, as far as the I/O callbacks can tell.
  uint64_t generation_ = 1;  // incremented per new connection; responses carry theirs
  bool connection_broken_ = false;
  uint32_t reconnect_failures_ = 0;
  Clock::time_point reconnect_at_;
  Status last_connect_error_;  // why the last connection attempt failed (for timeout messages)
  // The sender thread's sleep, so that Submit() wakes it only when needed (see WakeSender()).
  bool sender_waiting_ = false;
  Clock::time_point sender_wake_at_;
  Clock::time_point wake_due_ = Clock::time_point::max();
};

}  // namespace choreo::client_internal
