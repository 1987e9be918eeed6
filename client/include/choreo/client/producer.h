// Producer: appends records to topics and reports where each one was stored.
//
// Records are accumulated per partition into record batches; a batch is sent when it reaches
// `batch_bytes` or has waited `linger`, whichever comes first, and several batches per partition
// may be in flight. By default the producer is idempotent: the broker gives it a producer id, every
// batch carries that id, the producer's epoch and a per-partition sequence number, and the broker
// drops a batch it has already appended (answering with the original offset) and rejects gaps. A
// batch whose outcome is unknown (lost connection, timeout, retriable broker error) is therefore
// resent, byte for byte, after reconnecting, until `delivery_timeout`: no record is appended twice,
// and the records of one partition (hence of one key) are appended in the order they were sent.
//
// Partitioning: a record sent with an explicit partition goes there. A record with a key goes to
// `partitioner->Partition(topic, key, count)`, by default DefaultPartitionForKey(key, count)
// (Kafka's murmur2; see partitioner.h). A record without a key is spread: unkeyed records stick to
// one partition until its batch is closed, then move on to another. Partition counts come from
// the broker's metadata, fetched when a topic is first used, refreshed after UNKNOWN_TOPIC or
// INVALID_PARTITION (a bounded number of times per batch) and every `metadata_max_age`. As with
// Kafka, adding partitions to a topic remaps keys: a key's records sent before and after the
// producer sees the new count may be in two partitions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/partitioner.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

// Codec applied to each record batch's payload. The broker stores batches as sent; consumers
// decompress. Both are bundled with choreo: nothing extra to install.
enum class Compression {
  kNone,
  kLz4,   // fast, modest ratio
  kZstd,  // level 1: better ratio than LZ4 for a little more CPU
};

struct ProducerOptions {
  ClientOptions client;

  // ---- Batching --------------------------------------------------------------------------------

  // A partition's batch is sent once its uncompressed payload reaches this size (a record that
  // would push it over starts the next batch; a record larger than this goes alone in its own
  // batch). Batches are also kept within the broker's announced max_batch_bytes and frame limit
  // and the topic's max_message_bytes. Default: 256 KiB. Larger than Kafka's 16 KiB because choreo
  // stores one RocksDB key per batch and, with --fsync=always, pays one fsync per group commit: big
  // batches amortize both, while 256 KiB still leaves many batches in flight within the memory
  // bound below. Must be > 0.
  uint64_t batch_bytes = 256ull << 10;
  // How long a batch that is not full waits for more records before it is sent (but see
  // `adaptive_linger`). 0 sends as soon as the sender thread gets to it (records arriving meanwhile
  // still share a batch). Flush() and Close() skip the wait. Default: 5 ms: under load batches fill
  // before that; at low rates it bounds the latency added.
  std::chrono::milliseconds linger{5};
  // With adaptive linger, a partition with no batch in flight (sent and unanswered) sends its
  // batch at once instead of waiting for `linger`; while one is in flight, the next batch lingers
  // as above and goes when the answer comes or `linger` expires, whichever is first (like Nagle's
  // algorithm in TCP). A record sent at a low rate is then not delayed at all, and under load
  // records still accumulate in batches while the broker is busy anyway. Default: true (in
  // choreo-bench: lower latency at moderate rates, the same throughput at saturation).
  bool adaptive_linger = true;
  // Codec for each batch. Default: kNone.
  Compression compression = Compression::kNone;

  // ---- Memory ----------------------------------------------------------------------------------

  // Bound on the bytes held for records that are not yet acknowledged or failed (sent or not).
  // When a Send() would exceed it, Send() waits for room up to `max_block`. A record larger than
  // this bound fails with kMessageTooLarge. Default: 64 MiB.
  uint64_t buffer_memory_bytes = 64ull << 20;
  // How long Send()/SendBatch() wait for buffer memory before failing the record with
  // kResourceExhausted. 0 fails at once instead of waiting. A Send() made from a producer callback
  // never waits (it would wait for its own thread). Also how long records wait for their topic's
  // partition count (first use of a topic; no broker reachable yet) before failing with kTimeout,
  // the message saying why (e.g. "not connected to the broker (cannot connect to ...)"); that
  // wait does not block Send() (with 0: up to delivery_timeout). Default: 60 s.
  std::chrono::milliseconds max_block{60000};

  // ---- Partitioning ----------------------------------------------------------------------------

  // Maps keys to partitions; null means DefaultPartitionForKey. Called under the producer's lock:
  // it must be fast, thread-safe and must not call the producer. Default: null.
  std::shared_ptr<const Partitioner> partitioner = nullptr;
  // A topic's partition count is re-read from the broker after this long, so that partitions
  // added to a topic are used. Default: 5 min.
  std::chrono::milliseconds metadata_max_age{300000};

  // ---- Delivery --------------------------------------------------------------------------------

  // Idempotent delivery (see the top of this file). Needs a broker that supports InitProducer;
  // Create() fails with kUnsupportedVersion otherwise. When false, batches carry no producer id and
  // retries may append a batch twice and, with more than one batch in flight, out of order.
  // Default: true.
  bool enable_idempotence = true;
  // Batches of one partition sent and not yet acknowledged. With idempotence at most 5, the number
  // of recent batches per producer and partition the broker remembers for duplicate detection.
  // Default: 5.
  uint32_t max_in_flight_per_partition = 5;
  // Time from when a record's batch was started to when its outcome is reported, retries
  // included. At the deadline the record fails with kTimeout (if it was sent, it may still have
  // been appended: the producer keeps resending that batch in the background so that later records
  // stay in order and unduplicated, but reports nothing more for it). Default: 120 s.
  std::chrono::milliseconds delivery_timeout{120000};
  // Wait before resending after a retriable error or reconnecting after a lost connection;
  // doubles with every consecutive failure up to `retry_backoff_max` (with +-20% jitter).
  // Defaults: 100 ms and 1 s.
  std::chrono::milliseconds retry_backoff{100};
  std::chrono::milliseconds retry_backoff_max{1000};
};

// Where a scheduled record will be appended (Producer::Schedule).
struct ScheduledRecord {
  // An event with this id was pending already: nothing changed, and `due` is that event's.
  bool already_scheduled = false;
  std::chrono::system_clock::time_point due;
  uint32_t partition = 0;
};

// What Producer::CancelScheduled found. An ended scheduled record's id is remembered by the
// broker for 7 days, so a repeated cancel learns what happened.
enum class CancelOutcome {
  kCancelled,         // it was pending; it will never be appended now
  kAlreadyCancelled,  // an earlier cancel took it back
  kDelivered,         // it was appended already (a delivery under way is waited for)
  kNotFound,          // never scheduled, or it ended more than 7 days ago
};

// Outcome of one Send() or SendBatch().
using SendCallback = std::function<void(const Result<RecordMetadata>&)>;

// Thread-safe: Send() and SendBatch() may be called from any thread.
//
// Every record's outcome is reported exactly once: through the returned future or the callback.
// An acknowledged record's offset is its batch's base offset plus its index in the batch (-1 in
// the unexpected case of a broker answering DUPLICATE_SEQUENCE: stored, offset unknown).
// Callbacks run on one of the producer's internal threads (its I/O or sender thread; for records
// failed by Close(), the thread calling Close()), one at a time, and those of one partition in the
// order the records were sent. They must not block or
// throw, and must not call Flush(), Close() or the destructor (Flush() and Close() return
// kInvalidArgument when called from a callback). A Send() from a callback is allowed and never
// waits for buffer memory. A send rejected before it is buffered (closed producer, invalid
// argument, record too large, buffer full) reports inline on the calling thread instead.
//
// Each Producer owns two threads: the sender thread (batching, connecting, retries) and the I/O
// thread of its connection. A lost connection is re-established by the sender thread, and so is
// the first one when the broker was not reachable at Create() (the producer id is then obtained
// on it).
//
// Errors: kUnknownTopic (after a metadata check), kInvalidPartition (explicit partition beyond the
// topic's partition count, after a metadata refresh), kMessageTooLarge, kCorruptMessage,
// kResourceExhausted (buffer full for max_block), kTimeout (not acknowledged within
// delivery_timeout; the record may still have been appended), kProducerFenced (another producer
// took over this producer's id; fatal: every later record fails too), kOutOfOrderSequence (the
// broker lost records it had acknowledged; fatal), kUnknownProducerId (fatal), kClosed,
// kInvalidArgument.
class Producer {
 public:
  // Connects, handshakes and, with enable_idempotence, obtains a producer id (InitProducer). If
  // the broker cannot be reached (or answers InitProducer with a retriable error), Create()
  // succeeds anyway and the sender thread does all this in the background (options.h); records
  // sent meanwhile wait up to max_block. Errors: kInvalidArgument for bad options or a bad broker
  // address; kUnsupportedVersion if the broker does not support idempotent producers (when
  // reachable; later, every record fails with it).
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  // Equivalent to Close(client.request_timeout).
  ~Producer();

  // Sends one record; see the top of this file for how the partition is chosen. A record
  // timestamp of 0 is replaced by the send time. May block up to max_block when the buffer is full.
  std::future<Result<RecordMetadata>> Send(std::string_view topic, Record record,
                                           std::optional<uint32_t> partition = std::nullopt);
  void Send(std::string_view topic, Record record, std::optional<uint32_t> partition,
            SendCallback callback);

  // Sends `records` (at least one) as one batch of their own to one partition, after the records
  // sent to it before; they get consecutive offsets. The result is the metadata of the first
  // record. Errors as Send(); kMessageTooLarge if they do not fit in one batch.
  std::future<Result<RecordMetadata>> SendBatch(std::string_view topic, uint32_t partition,
                                                std::vector<Record> records);

  // Scheduled records (protocol 1.3): the broker stores `record` now, durably, and appends it to
  // `topic` at `due` (within about 100 ms under normal load; at once if `due` has passed), exactly
  // once across broker restarts, unless CancelScheduled(id) comes first. The partition is chosen
  // now, as Send() would choose it. A record timestamp of 0 becomes the due time.
  //
  // `id` (1 to 512 bytes) names the pending record broker-wide: the handle to cancel it, and what
  // makes a retry safe (scheduling an id that is pending already changes nothing and answers
  // already_scheduled). Use a name derived from what the record is for, e.g.
  // "payment-timeout/<order id>". Once delivered or cancelled, the id may be used again.
  //
  // Blocks until the broker has stored it (retrying transport errors until delivery_timeout);
  // independent of the batches in flight (no ordering with Send()). Errors: kInvalidArgument,
  // kUnknownTopic, kInvalidPartition, kMessageTooLarge, kResourceExhausted (the broker's
  // --max-scheduled-events), kUnsupportedVersion (a broker older than 1.3), kTimeout, kClosed.
  Result<ScheduledRecord> Schedule(std::string_view id, std::chrono::system_clock::time_point due,
                                   std::string_view topic, Record record,
                                   std::optional<uint32_t> partition = std::nullopt);
  // Schedule() at now + `delay`.
  Result<ScheduledRecord> ScheduleAfter(std::string_view id, std::chrono::milliseconds delay,
                                        std::string_view topic, Record record,
                                        std::optional<uint32_t> partition = std::nullopt);
  // Cancels a pending scheduled record, or says why there is none (CancelOutcome); safe to
  // repeat. Errors: kInvalidArgument, kUnsupportedVersion, kTimeout, kClosed.
  Result<CancelOutcome> CancelScheduled(std::string_view id);

  // Sends lingering batches at once and waits until every record sent before the call has been
  // acknowledged or failed (its callback has returned). Records sent meanwhile by other threads
  // are sent without linger too but not waited for. Errors: kTimeout if some are still outstanding
  // after `timeout`; kInvalidArgument from a callback.
  Status Flush(std::chrono::milliseconds timeout);
  // Rejects new sends (kClosed), flushes, then stops: records still unacknowledged after `timeout`
  // fail with kClosed. Returns the flush's status. Idempotent. Errors: as Flush().
  Status Close(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
