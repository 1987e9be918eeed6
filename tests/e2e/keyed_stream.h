// KeyedStream: a producer thread that sends keyed records ("key-K" -> "key-K:SEQ", SEQ counting
// per key from 0) round-robin over its keys, and what it was told about each; and the check that a
// topic holds exactly those records, once each, in per-key order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "choreo/client/producer.h"

namespace choreo::e2e {

class KeyedStream {
 public:
  struct Options {
    std::string topic;
    int keys = 50;
    int64_t max_records = 0;        // 0: until Stop()
    int max_in_flight = 2000;       // records sent and not yet reported
    double records_per_second = 0;  // 0: as fast as the producer takes them
  };
  struct Ack {
    int key = 0;
    int64_t seq = 0;
    uint32_t partition = 0;
    int64_t offset = 0;
  };

  KeyedStream(Producer& producer, Options options);
  // Stop()s.
  ~KeyedStream();

  void Start();
  // Stops sending (records already sent still get their outcome).
  void Stop();
  // Waits until the stream has sent max_records.
  bool WaitSent(std::chrono::milliseconds timeout);
  // Waits until `n` records are acknowledged; false at the deadline.
  bool WaitForAcks(size_t n, std::chrono::milliseconds timeout);
  // Waits until every sent record has its outcome.
  bool WaitIdle(std::chrono::milliseconds timeout);

  int64_t sent() const { return sent_; }
  size_t acked();
  std::vector<Ack> acks();
  // Failed records, with the first failure's status.
  int64_t failed();
  std::string first_failure();
  // Outcomes reported more than once for the same record (must stay 0).
  int64_t repeated();

 private:
  void Run();
  void OnOutcome(int key, int64_t seq, const Result<RecordMetadata>& result);

  Producer& producer_;
  const Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable changed_;
  int64_t in_flight_ = 0;
  bool done_sending_ = false;
  std::vector<Ack> acks_;
  std::map<std::pair<int, int64_t>, int> outcomes_;  // (key, seq) -> outcomes reported
  int64_t failed_ = 0;
  int64_t repeated_ = 0;
  std::string first_failure_;
};

// Reads `topic` (every partition, via a direct connection to `broker`) and checks it against the
// stream: no (key, seq) is stored twice, each key's records are stored in increasing seq order,
// and every acknowledged record is stored at the partition and offset it was acknowledged with.
// Returns the number of records read.
size_t ExpectExactlyOnceInOrder(const std::string& broker, const std::string& topic,
                                const std::vector<KeyedStream::Ack>& acks);

}  // namespace choreo::e2e
