// The units the producer moves around: a Submission (one Send() or SendBatch() call that waits for
// its topic's metadata) and a ProducerBatch (records of one partition sent as one RecordBatch).
// Plain data; every field is guarded by the producer's mutex unless noted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "choreo/client/producer.h"

namespace choreo::client_internal {

using ProducerClock = std::chrono::steady_clock;

// The current time, read from the clock once and only if asked for: most records join an open
// batch and need no time at all (a clock read per record showed in profiles).
class LazyNow {
 public:
  LazyNow() = default;
  explicit LazyNow(ProducerClock::time_point now) : now_(now) {}
  ProducerClock::time_point Get() {
    if (!now_) now_ = ProducerClock::now();
    return *now_;
  }

 private:
  std::optional<ProducerClock::time_point> now_;
};

// Records of one Send()/SendBatch() call, from Submit() until they are encoded into a batch (or, if
// their topic's metadata is not known yet, waiting in the topic's queue). The records are kept as
// the caller gave them (timestamps filled in) and encoded straight into the batch's payload when
// placed, so a record costs no allocation of its own between Send() and the wire.
struct Submission {
  std::optional<uint32_t> partition;  // explicit partition, if given
  Record record;                      // Send(): the record
  std::vector<Record> batch_records;  // SendBatch(): the records (then `record` is unused)
  SendCallback callback;
  bool whole_batch = false;    // SendBatch(): a batch of its own, one callback for all records
  uint64_t payload_bytes = 0;  // encoded size of the records (proto::EncodedRecordSize)
  uint64_t memory_bytes = 0;   // charged against buffer_memory_bytes
  uint64_t order = 0;          // send number (Flush() waits by it)
  // Set when it starts a batch or waits for metadata: then + delivery_timeout.
  ProducerClock::time_point deadline;
  // Set when it first waits for its topic's metadata: the end of that wait (max_block).
  ProducerClock::time_point metadata_deadline;
  bool rechecked = false;  // an explicit partition beyond the count already caused a refresh

  // The key that chooses the partition: the (first) record's.
  const std::string& key() const { return whole_batch ? batch_records.front().key : record.key; }
};

// Records of one partition, from the first Send() into them to their last callback.
//
// Life: open (accepting records) -> closed (in the partition's ready queue) -> encoded -> admitted
// to the partition's in-flight window with a base sequence -> resolved (appended, or failed for
// good) -> completed (callbacks run). A batch may also be failed before it is admitted (delivery
// timeout, fatal error, close), or reported (kTimeout) while its resolution is still pending.
struct ProducerBatch {
  uint64_t id = 0;           // creation order within the producer (for tests and logs)
  uint64_t first_order = 0;  // send number of its first record
  std::string topic;
  uint32_t partition = 0;
  // The records encoded as a serialized RecordList (proto::AppendRecord), until the batch is
  // encoded. Only the encoder touches it once `closed` (outside the lock).
  std::string payload;
  int64_t first_timestamp_ms = 0;  // of the first record
  int64_t max_timestamp_ms = 0;
  std::vector<SendCallback> callbacks;  // callbacks[i] reports record i; SendBatch() has one
  uint32_t record_count = 0;
  uint64_t payload_bytes = 0;  // payload.size() until encoded (kept for accounting afterwards)
  uint64_t memory_bytes = 0;   // charged against buffer_memory_bytes
  ProducerClock::time_point created;
  ProducerClock::time_point deadline;  // created + delivery_timeout
  bool closed = false;                 // takes no more records
  bool whole_batch = false;            // from SendBatch()

  bool encoding = false;  // the sender thread is encoding it (outside the lock)
  // The RecordBatch bytes with base_sequence 0, set once encoded and immutable, so that requests
  // can be built from it outside the lock. What is sent is this plus SequenceSuffix(base_sequence)
  // (see batch_encoding.h): every attempt with the same sequence sends the same bytes.
  std::shared_ptr<const std::string> encoded_body;

  // In the in-flight window.
  bool admitted = false;
  int32_t base_sequence = 0;
  uint32_t attempts = 0;          // requests sent for it
  bool in_request = false;        // a request carrying it is outstanding
  int32_t request_sequence = 0;   // base_sequence of the outstanding request
  uint32_t metadata_retries = 0;  // UNKNOWN_TOPIC/INVALID_PARTITION answers so far
  bool resolved = false;     // outcome known: appended (base_offset) or failed for good (error)
  int64_t base_offset = -1;  // when appended; -1 if the broker did not say (DUPLICATE_SEQUENCE)
  Status error;
  bool reported = false;  // callbacks already ran (delivery timeout) or were handed off
  bool dropped = false;   // removed by a fatal error or Close(); late responses are ignored
};

using BatchPtr = std::shared_ptr<ProducerBatch>;

}  // namespace choreo::client_internal
