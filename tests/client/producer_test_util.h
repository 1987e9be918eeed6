// Shared pieces of the producer tests: a FakeLog behind a FakeBroker, options suited to tests, and
// a thread-safe collector of send outcomes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "choreo/client/producer.h"
#include "choreo/proto/batch.h"
#include "tests/client/fake_broker.h"
#include "tests/client/fake_log.h"

namespace choreo::testing {

using std::chrono::milliseconds;
inline constexpr milliseconds kLong{10000};

// A FakeLog served by a FakeBroker. The broker is destroyed (its thread stopped) before the log.
struct LogBroker {
  FakeLog log;
  FakeBroker broker{log.Handler()};

  // Fast retries, and timeouts that fit a unit test.
  ProducerOptions Options() const {
    ProducerOptions options;
    options.client.broker = broker.address();
    options.client.request_timeout = std::chrono::seconds(5);
    options.retry_backoff = milliseconds(5);
    options.retry_backoff_max = milliseconds(50);
    return options;
  }

  // Options under which only the linger (or the batch size, or Flush) sends a batch: adaptive
  // linger would send to an idle partition at once.
  ProducerOptions LingeringOptions(std::chrono::milliseconds linger) const {
    ProducerOptions options = Options();
    options.linger = linger;
    options.adaptive_linger = false;
    return options;
  }

  std::unique_ptr<Producer> Create(const ProducerOptions& options) const {
    Result<std::unique_ptr<Producer>> producer = Producer::Create(options);
    EXPECT_TRUE(producer.ok()) << producer.status().ToString();
    return producer.ok() ? std::move(producer).value() : nullptr;
  }
};

// Collects the outcome of sends by index; counts any second outcome for the same index.
class Outcomes {
 public:
  SendCallback For(int index) {
    return [this, index](const Result<RecordMetadata>& result) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!results_.emplace(index, result).second) ++repeated_;
      changed_.notify_all();
    };
  }
  // Waits until `n` outcomes are in.
  bool WaitFor(size_t n, milliseconds timeout = kLong) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return results_.size() >= n; });
  }
  std::map<int, Result<RecordMetadata>> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return results_;
  }
  int repeated() {
    std::lock_guard<std::mutex> lock(mu_);
    return repeated_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<int, Result<RecordMetadata>> results_;
  int repeated_ = 0;
};

// The records of a serialized RecordBatch (test failure if it does not decode).
inline proto::RecordList DecodeRecords(const std::string& batch, proto::RecordBatch* header) {
  proto::RecordList records;
  std::string error;
  EXPECT_EQ(proto::DecodeBatch(batch, header, &records, &error), proto::NONE) << error;
  return records;
}

inline Record ValueRecord(const std::string& key, const std::string& value) {
  return Record{key, value, {}, 0};
}

}  // namespace choreo::testing
