// Helpers for the consumer-group end-to-end tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "choreo/client/admin.h"
#include "choreo/client/producer.h"

namespace choreo::e2e {

// Waits, polling with a deadline, until `condition` holds.
template <typename Condition>
::testing::AssertionResult WaitFor(Condition condition, const std::string& what,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return ::testing::AssertionFailure() << "timed out waiting for " << what;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the condition
  }
  return ::testing::AssertionSuccess();
}

inline double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Produces `batches` batches of 5 records round-robin over `partitions` partitions of `topic`,
// one every few milliseconds, on its own thread.
class BackgroundProducer {
 public:
  BackgroundProducer(const ClientOptions& client, std::string topic, uint32_t partitions,
                     int batches);
  // Stops early if still running, and joins.
  ~BackgroundProducer();
  bool done() const { return done_; }
  int produced() const { return produced_; }

 private:
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<int> produced_{0};
};

// The offsets in `choreo consume --format full` output, by partition.
std::map<uint32_t, std::set<int64_t>> OffsetsInCliOutput(const std::filesystem::path& path);

// The high watermark of every partition of `topic`.
std::map<TopicPartition, int64_t> EndOffsets(Admin& admin, const std::string& topic);

}  // namespace choreo::e2e
