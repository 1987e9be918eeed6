// Producer: appends records to topics and reports where each one was stored.
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
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

struct ProducerOptions {
  ClientOptions client;
};

// Outcome of one Send() or SendBatch().

using SendCallback = std::function<void(const Result<RecordMetadata>&)>;

// Thread-safe. Every record's outcome is reported exactly once: through the returned future or the
// callback. Callbacks run on the producer's I/O thread and must not block, throw, or call Flush(),
// Close() or the destructor; a send rejected before it reaches the network (closed producer,
// invalid argument, oversized request) reports inline on the calling thread instead.
//
// Current behaviour, to be extended without changing this API: every Send()/SendBatch() is sent at
// once as one record batch (no batching or linger yet), is not idempotent (producer id -1), and is
// not retried. Requests are pipelined on one connection, so records sent to one partition are
// appended in the order they were sent. A record timestamp of 0 is replaced by the send time.
//
// Errors: kUnknownTopic, kInvalidPartition, kMessageTooLarge, kCorruptMessage, kStorageError,
// kTimeout (no acknowledgement within request_timeout; the record may still have been appended),
// kConnectionFailed (connection lost; create a new Producer), kClosed, kInvalidArgument.
class Producer {
 public:
  // Connects and handshakes. Errors: as Admin::Connect.
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  // Equivalent to Close(request_timeout).
  ~Producer();

  // Sends one record. Without `partition` the record goes to partition 0 of the topic for now;
  // choosing the partition from the key (murmur2, as Kafka) and spreading keyless records is a
  // later addition.
  std::future<Result<RecordMetadata>> Send(std::string_view topic, Record record,
                                           std::optional<uint32_t> partition = std::nullopt);
  void Send(std::string_view topic, Record record, std::optional<uint32_t> partition,
            SendCallback callback);

  // Sends `records` (at least one) as one batch to one partition; they get consecutive offsets.
  // The result is the metadata of the first record.
  std::future<Result<RecordMetadata>> SendBatch(std::string_view topic, uint32_t partition,
                                                std::vector<Record> records);

  // Waits until every record sent so far has been acknowledged or failed (its callback has
  // returned). Errors: kTimeout if some are still outstanding after `timeout`.
  Status Flush(std::chrono::milliseconds timeout);
  // Flushes, then closes the connection; records still unacknowledged after `timeout` fail with
  // kClosed. Idempotent.
  Status Close(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
