// GroupWorker: a group Consumer on its own thread, as a service instance would run it, recording
// when it owned each partition (from its rebalance callbacks) and every record it processed, so
// tests can check that no two members ever own a partition at once and that nothing is skipped.
//
// Threading: Start/Stop/Freeze from the test's thread; the log is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/consumer.h"

namespace choreo::e2e {

using SteadyTime = std::chrono::steady_clock::time_point;

struct OwnershipInterval {
  std::string worker;
  TopicPartition partition;
  SteadyTime start;
  SteadyTime end = SteadyTime::max();  // max: still owned
};

struct ProcessedRecord {
  std::string worker;
  TopicPartition partition;
  int64_t offset = 0;
  SteadyTime at;
};

class OwnershipLog {
 public:
  void Assigned(const std::string& worker, const TopicPartition& tp);
  void Revoked(const std::string& worker, const TopicPartition& tp);
  // Ends every open interval of `worker` now (a frozen or killed worker processes nothing more).
  void EndAll(const std::string& worker);
  void Processed(const std::string& worker, const ConsumedRecord& record);

  std::vector<OwnershipInterval> intervals() const;
  std::vector<ProcessedRecord> processed() const;
  size_t processed_count(const std::string& worker = "") const;
  // Partitions `worker` owns right now.
  std::set<TopicPartition> Owned(const std::string& worker) const;
  // First time `worker` processed a record of `tp` at or after `since`; max if never.
  SteadyTime FirstProcessed(const std::string& worker, const TopicPartition& tp,
                            SteadyTime since) const;

  // Test failures for: two intervals of different workers overlapping on a partition; a record
  // processed outside its worker's intervals; an offset in [0, end) of a partition never processed.
  void ExpectExclusiveAndComplete(const std::map<TopicPartition, int64_t>& end_offsets) const;

 private:
  mutable std::mutex mu_;
  std::vector<OwnershipInterval> intervals_;
  std::vector<ProcessedRecord> processed_;
};

class GroupWorker {
 public:
  struct Options {
    std::string name;
    ConsumerOptions consumer;  // group_id, session timeout etc.
    std::vector<std::string> topics;
  };
  GroupWorker(Options options, OwnershipLog& log);
  // Stop().
  ~GroupWorker();

  // Creates the consumer, subscribes and polls on a new thread; each polled batch is processed
  // (logged) and committed. Returns false if the consumer could not be created.
  bool Start();
  // Close(): commits, leaves the group; joins the thread.
  void Stop();
  // As a hung process: stops heartbeating and polling without leaving. The consumer is closed
  // (its commit then rejected) by Stop() or the destructor.
  void Freeze();
  // The last error the polling loop saw (polls keep going after retriable ones).
  std::string last_error() const;
  SteadyTime started_at() const { return started_at_; }

 private:
  void Run();

  Options options_;
  OwnershipLog& log_;
  std::unique_ptr<Consumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> frozen_{false};
  SteadyTime started_at_;
  mutable std::mutex mu_;
  std::string last_error_;
};

}  // namespace choreo::e2e
