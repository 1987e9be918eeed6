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

using SendCallback = std::function<void(const Result<RecordMetadata>&)>;

// Thread-safe. Every record's outcome is reported exactly once: through the returned future or the
// callback. Callbacks run on the producer's I/O thread and must not block.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  // Equivalent to Close(request_timeout).
  ~Producer();

  // Sends one record. Without `partition` the record goes to partition 0 of the topic.
  std::future<Result<RecordMetadata>> Send(std::string_view topic, Record record,
                                           std::optional<uint32_t> partition = std::nullopt);
  void Send(std::string_view topic, Record record, std::optional<uint32_t> partition,
            SendCallback callback);

  // Sends `records` as one batch to one partition; they get consecutive offsets. The result is the
  // metadata of the first record.
  std::future<Result<RecordMetadata>> SendBatch(std::string_view topic, uint32_t partition,
                                                std::vector<Record> records);

  // Waits until every record sent so far has been acknowledged or failed.
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
