// Accumulator: the producer's per-topic and per-partition state, and where records go.
//
// For each topic: its metadata (partition count, batch limit, fetch state), the submissions waiting
// for that metadata, the sticky partition for unkeyed records, and per partition the open batch,
// the closed batches waiting for room in the in-flight window, and that window. Not thread-safe:
// the producer calls it under its lock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/producer.h"
#include "client/producer/partition_window.h"
#include "client/producer/producer_batch.h"

namespace choreo::client_internal {

struct PartitionState {
  PartitionState(bool idempotent, uint32_t max_in_flight) : window(idempotent, max_in_flight) {}

  // Nothing sent and unanswered, nothing closed and waiting: with adaptive linger the open batch
  // is sent at once.
  bool Idle() const { return ready.empty() && window.batches().empty(); }

  BatchPtr open;               // accepting records; null if none
  std::deque<BatchPtr> ready;  // closed, not yet admitted to the window, oldest first
  PartitionWindow window;
};

struct TopicMetadataState {
  uint32_t partition_count = 0;    // 0: not known (never fetched, or the topic did not exist)
  uint64_t max_message_bytes = 0;  // the topic's batch limit; 0: the broker's
  ProducerClock::time_point fetched_at;
  bool wanted = false;                   // a fetch should be sent
  bool in_flight = false;                // a fetch is outstanding
  ProducerClock::time_point not_before;  // backoff after a failed fetch
  uint32_t failures = 0;
};

struct TopicState {
  std::string name;
  TopicMetadataState metadata;
  // Submissions waiting for metadata, in send order. While any wait, later ones queue behind them.
  std::deque<Submission> waiting;
  // Index = partition; at least metadata.partition_count entries once known (never shrinks, so
  // sequence state survives a topic that briefly looks smaller).
  std::vector<std::unique_ptr<PartitionState>> partitions;
  // Unkeyed records stay on `sticky_partition` while `sticky_batch` is its open batch.
  uint32_t sticky_partition = 0;
  uint64_t sticky_batch = 0;  // 0: none
};

struct PlaceResult {
  enum class Kind {
    kPlaced,  // in a batch: the submission's records and callback were taken
    kWait,    // needs fresher metadata first (explicit partition beyond the known count)
    kFailed,  // `status` says why; the submission is untouched
  };
  Kind kind = Kind::kPlaced;
  Status status;
  bool new_batch = false;               // a batch was started with this submission's first record
  bool closed_batch = false;            // a batch became ready to send
  PartitionState* partition = nullptr;  // where the records went (kPlaced)
};

class Accumulator {
 public:
  explicit Accumulator(const ProducerOptions& options);

  TopicState& GetTopic(std::string_view name);  // created on first use
  TopicState* FindTopic(std::string_view name);
  std::map<std::string, TopicState, std::less<>>& topics() { return topics_; }

  // Grows `topic.partitions` to `count` entries.
  void EnsurePartitions(TopicState& topic, uint32_t count);

  // Puts `submission` in a batch of the partition chosen for it (explicit, by key, or sticky).
  // Requires a known partition count. `max_encoded_bytes` is the limit for one encoded batch of
  // this topic. Fails with kInvalidPartition (explicit partition beyond the count after a refresh,
  // or a partitioner out of range) or kMessageTooLarge.
  PlaceResult Place(TopicState& topic, Submission& submission, uint64_t max_encoded_bytes,
                    LazyNow& now);

  // Moves `partition.open`, if any, to the ready queue.
  static void CloseOpen(PartitionState& partition);

 private:
  // The partition for a submission without an explicit one: by key, else the sticky partition
  // while its batch is open, else another one at random.
  uint32_t ChoosePartition(TopicState& topic, const Submission& submission, Status* error);
  bool Fits(const ProducerBatch& batch, uint64_t bytes, uint64_t max_encoded_bytes) const;
  // Its deadline is the submission's if set (it waited for metadata), else created +
  // delivery_timeout.
  BatchPtr NewBatch(const TopicState& topic, uint32_t partition, const Submission& submission,
                    ProducerClock::time_point now);

  const ProducerOptions& options_;
  std::map<std::string, TopicState, std::less<>> topics_;
  uint64_t next_batch_id_ = 1;
  std::minstd_rand random_;
};

}  // namespace choreo::client_internal
