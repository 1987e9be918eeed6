// Consumer: reads records from explicitly assigned partitions, starting at chosen offsets.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

// Where to start a partition that has no explicit offset.
enum class StartFrom { kEarliest, kLatest };

struct ConsumerOptions {
  ClientOptions client;
  // Bytes requested per partition per fetch. Default: 1 MiB.
  uint64_t max_partition_fetch_bytes = 1ull << 20;
  // Bytes requested per fetch overall. Default: 16 MiB.
  uint64_t max_fetch_bytes = 16ull << 20;
  // The broker holds a fetch up to this long waiting for data. Default: 500 ms.
  std::chrono::milliseconds max_wait{500};
};

struct PartitionAssignment {
  TopicPartition partition;
  // Start offset; std::nullopt means `start_from`.
  std::optional<int64_t> offset;
  StartFrom start_from = StartFrom::kEarliest;
};

// Not thread-safe: use one Consumer from one thread at a time.
class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  ~Consumer();

  // Replaces the set of partitions read. Errors: kUnknownTopic, kInvalidPartition.
  Status Assign(const std::vector<PartitionAssignment>& assignments);
  // Moves the read position of an assigned partition.
  Status Seek(const TopicPartition& tp, int64_t offset);
  // The offset of the next record Poll() will return for `tp`.
  Result<int64_t> Position(const TopicPartition& tp) const;

  // Returns the records available now, waiting up to `timeout` for at least one. An empty vector
  // means nothing arrived in time. Records of one partition come in offset order.
  Result<std::vector<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);

  void Close();

  class Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
