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
//
// Reads explicitly assigned partitions; consumer groups (subscribe, commit) are a later addition.
// Any call may also fail with kConnectionFailed (connection lost; create a new Consumer), kTimeout
// or, after Close(), kClosed.
class Consumer {
 public:
  // Connects and handshakes. Errors: as Admin::Connect.
  static Result<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  // Closes the connection.
  ~Consumer();

  // Replaces the set of partitions read. Start offsets given as `start_from` are resolved here
  // (kEarliest: the log start offset, kLatest: the high watermark). An empty list unassigns all.
  // Errors: kUnknownTopic, kInvalidPartition; on error the previous assignment stays.
  Status Assign(const std::vector<PartitionAssignment>& assignments);
  // Moves the read position of an assigned partition. Errors: kInvalidArgument (not assigned, or
  // a negative offset).
  Status Seek(const TopicPartition& tp, int64_t offset);
  // The offset of the next record Poll() will return for `tp`. Errors: kInvalidArgument.
  Result<int64_t> Position(const TopicPartition& tp) const;

  // Returns the records available now, waiting up to `timeout` for at least one (each fetch waits
  // at most ConsumerOptions::max_wait on the broker). An empty vector means nothing arrived in
  // time. Records of one partition come in offset order; positions move past the records returned.
  // Errors: kInvalidArgument (nothing assigned), kOffsetOutOfRange (a position is below the log
  // start or beyond the high watermark; Seek() to recover), kUnknownTopic (deleted),
  // kCorruptMessage. A partition error is reported only when no other partition returned records;
  // it comes back on the next Poll() until resolved.
  Result<std::vector<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);

  // Closes the connection. Idempotent.
  void Close();

  class Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
