// Fetcher: the consumer's read positions and its pipeline of fetch requests.
//
// Each partition read has a position (the next offset Poll returns) and a fetch offset (the next
// offset to ask the broker for; beyond the position by what is buffered). Fetch requests are sent
// asynchronously and cover every partition that has no fetch in flight, is not paused and whose
// buffer is below its share; responses are decoded on the connection's I/O thread into a buffer.
// While responses bring data, the next fetch is sent at once, so records are prefetched while the
// application works, up to `max_buffered_bytes` of batch data in all (plus one response).
// An empty long-poll answer sends nothing more until the consumer next waits for records.
//
// Partition errors: with an auto-reset policy, OFFSET_OUT_OF_RANGE moves the partition to the log
// start (kEarliest) or the high watermark (kLatest) given in the same response; any other error
// (or out of range without a policy) is kept and reported by Take() when no records are ready.
//
// Threading: thread-safe. Response callbacks run on the connection's I/O thread and only take
// the internal lock; Wait() blocks the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "choreo/client/consumer.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/consumer/connection_holder.h"

namespace choreo::client_internal {

struct FetcherOptions {
  uint64_t max_partition_fetch_bytes = 1ull << 20;
  uint64_t max_fetch_bytes = 16ull << 20;
  uint64_t max_buffered_bytes = 32ull << 20;
  std::chrono::milliseconds max_wait{500};
  std::chrono::milliseconds request_timeout{30000};
};

class Fetcher {
 public:
  using Clock = std::chrono::steady_clock;

  // `connections` is borrowed and must outlive the fetcher.
  Fetcher(const FetcherOptions& options, ConnectionHolder& connections);
  // Waits for the callbacks of fetches in flight (they reference the fetcher).
  ~Fetcher();

  // Reads `tp` from `offset` (adding it if new), dropping what was buffered for it. A fetch
  // already in flight for it is ignored when it returns.
  void Seek(const TopicPartition& tp, int64_t offset, std::optional<StartFrom> auto_reset);
  // Stops reading these partitions and forgets their buffers.
  void Remove(const std::vector<TopicPartition>& partitions);
  void RemoveAll();
  // Paused partitions are neither fetched nor returned; their buffer is kept. Fetches built after
  // this returns leave them out; what one already in flight brings for them is buffered.
  void SetPaused(const TopicPartition& tp, bool paused);

  bool Contains(const TopicPartition& tp) const;
  std::optional<int64_t> Position(const TopicPartition& tp) const;
  std::map<TopicPartition, int64_t> Positions() const;
  std::vector<TopicPartition> Partitions() const;
  std::vector<TopicPartition> Paused() const;

  // Returns up to `max_records` buffered records (fairly across partitions, each in offset
  // order), advancing positions past them. With none ready, returns the first kept partition
  // error (clearing it, so the partition is fetched again) or an empty vector.
  Result<std::vector<ConsumedRecord>> Take(size_t max_records);
  // Sends fetches for every partition that may be fetched, then waits until records or an error
  // are ready, Wakeup() is called, or `deadline` passes. Returns false if a fetch could not be
  // sent because the connection is lost.
  bool Wait(Clock::time_point deadline);
  // Makes a current or the next Wait() return early.
  void Wakeup();

 private:
  // A partition's buffered records: the decoded vectors themselves, in offset order, each with a
  // read index. Buffering a response moves no record and allocates nothing per record.
  class RecordQueue {
   public:
    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }
    ConsumedRecord& front() { return chunks_.front().records[chunks_.front().next]; }
    void pop_front() {
      --size_;
      if (++chunks_.front().next == chunks_.front().records.size()) chunks_.pop_front();
    }
    // Appends records[from..].
    void Append(std::vector<ConsumedRecord>&& records, size_t from) {
      if (from >= records.size()) return;
      size_ += records.size() - from;
      chunks_.push_back(Chunk{std::move(records), from});
    }
    void clear() {
      chunks_.clear();
      size_ = 0;
    }

   private:
    struct Chunk {
      std::vector<ConsumedRecord> records;
      size_t next = 0;  // records before it were taken (or skipped)
    };
    std::deque<Chunk> chunks_;
    size_t size_ = 0;
  };

  struct PartitionState {
    int64_t position = 0;
    int64_t fetch_offset = 0;
    uint64_t generation = 0;  // bumped by Seek: responses sent before are stale
    bool in_flight = false;
    bool paused = false;
    std::optional<StartFrom> auto_reset;
    RecordQueue records;
    uint64_t buffered_bytes = 0;
    Status error;
  };
  struct Requested {
    TopicPartition tp;
    uint64_t generation;
  };

  // Sends one fetch for every eligible partition; false if the connection refused it.
  bool SendFetches() CHOREO_EXCLUDES(mu_);
  void OnResponse(std::vector<Requested> requested, Result<proto::Response> response)
      CHOREO_EXCLUDES(mu_);
  bool ReadyLocked() const CHOREO_REQUIRES(mu_);

  const FetcherOptions options_;
  ConnectionHolder& connections_;
  mutable Mutex mu_;
  CondVar changed_;
  std::map<TopicPartition, PartitionState> partitions_ CHOREO_GUARDED_BY(mu_);
  uint64_t buffered_bytes_ CHOREO_GUARDED_BY(mu_) = 0;
  uint64_t next_generation_ CHOREO_GUARDED_BY(mu_) = 1;
  int in_flight_requests_ CHOREO_GUARDED_BY(mu_) = 0;
  bool woken_ CHOREO_GUARDED_BY(mu_) = false;
  size_t take_cursor_ CHOREO_GUARDED_BY(mu_) = 0;  // round-robin start for Take()
};

}  // namespace choreo::client_internal
