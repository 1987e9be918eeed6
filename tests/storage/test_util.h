// Helpers shared by the storage tests: a temporary data directory per test, batch builders and
// waiting on a condition with a deadline (never sleeping as synchronization).
#pragma once

#include <chrono>
#include <thread>

#include "choreo/common/mutex.h"

#include <absl/time/clock.h>
#include <absl/time/time.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "choreo/storage/log_store.h"

namespace choreo::storage::testing {

// A fresh directory under the test temp dir, removed when the fixture ends.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/choreo_storage_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    options_.data_dir = dir_ + "/data";
    options_.write_buffer_bytes = 4 << 20;  // keep the test memory footprint small
    options_.block_cache_bytes = 8 << 20;
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  LogStore& OpenStore() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options_);
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) store_ = *std::move(store);
    return *store_;
  }

  void CloseStore() {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
  }

  TopicInfo MustCreate(const std::string& name, uint32_t partitions) {
    absl::StatusOr<TopicInfo> info = store_->CreateTopic(name, {.partitions = partitions});
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? *info : TopicInfo{};
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<LogStore> store_;
};

// Deterministic batch bytes: `size` bytes derived from `seed`.
// Deterministic but incompressible bytes (splitmix64), so that tests measuring disk or SST sizes
// are not fooled by the store's LZ4 compression.
inline std::string MakeBatch(size_t size, uint64_t seed) {
  std::string out(size, '\0');
  uint64_t state = seed;
  for (size_t i = 0; i < size; i += 8) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (size_t b = 0; b < 8 && i + b < size; ++b) out[i + b] = static_cast<char>(z >> (8 * b));
  }
  return out;
}

inline BatchFields Fields(uint32_t records, int64_t max_timestamp_ms = 0) {
  return BatchFields{.record_count = records, .max_timestamp_ms = max_timestamp_ms};
}

// Waits until `done()` holds (checked under `mu`, polled every millisecond) or the deadline
// passes; returns done().
inline bool WaitFor(Mutex& mu, std::function<bool()> done,
                    absl::Duration timeout = absl::Seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  while (true) {
    {
      MutexLock lock(&mu);
      if (done()) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace choreo::storage::testing
