// FetchMemory, the broker-wide budget for fetch responses: grants within the capacity, first come
// first served, a response larger than the budget served alone, and never over the capacity under
// concurrent use.
#include "broker/net/fetch_memory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace choreo::broker {
namespace {

TEST(FetchMemoryTest, GrantsWhatIsFreeUpToWhatIsWanted) {
  FetchMemory memory(100, nullptr, nullptr);
  EXPECT_EQ(memory.TryAcquire(1, 60), 60u);
  EXPECT_EQ(memory.TryAcquire(1, 60), 40u);  // fewer bytes, rather than none
  EXPECT_EQ(memory.TryAcquire(1, 60), 0u);   // exhausted
  memory.Release(30);
  EXPECT_EQ(memory.TryAcquire(40, 60), 0u);  // the least it can use does not fit
  EXPECT_EQ(memory.TryAcquire(20, 60), 30u);
  EXPECT_EQ(memory.in_use(), 100u);
  EXPECT_EQ(memory.peak(), 100u);
}

TEST(FetchMemoryTest, AResponseLargerThanTheBudgetIsServedAlone) {
  FetchMemory memory(100, nullptr, nullptr);
  ASSERT_EQ(memory.TryAcquire(1, 10), 10u);
  EXPECT_EQ(memory.TryAcquire(500, 500), 0u);
  std::vector<uint64_t> granted;
  memory.Acquire(500, 500, [&](uint64_t n) { granted.push_back(n); });
  EXPECT_TRUE(granted.empty());
  memory.Release(10);
  ASSERT_EQ(granted.size(), 1u);
  EXPECT_EQ(granted[0], 500u);
  EXPECT_FALSE(memory.TryCharge(1));  // nothing joins it while it is over the capacity
  memory.Release(500);
  EXPECT_EQ(memory.in_use(), 0u);
}

TEST(FetchMemoryTest, QueuedRequestsAreGrantedInArrivalOrder) {
  FetchMemory memory(100, nullptr, nullptr);
  ASSERT_EQ(memory.TryAcquire(100, 100), 100u);
  std::vector<int> order;
  memory.Acquire(80, 80, [&](uint64_t n) {
    EXPECT_EQ(n, 80u);
    order.push_back(1);
  });
  memory.Acquire(10, 10, [&](uint64_t) { order.push_back(2); });
  // A small request that would fit after a partial release still waits behind the large one.
  memory.Release(50);
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(memory.TryAcquire(1, 1), 0u);  // nor can a newcomer jump the queue
  EXPECT_FALSE(memory.TryCharge(1));
  memory.Release(50);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(memory.in_use(), 90u);
}

TEST(FetchMemoryTest, CancellingTheHeadLetsTheNextThrough) {
  FetchMemory memory(100, nullptr, nullptr);
  ASSERT_EQ(memory.TryAcquire(60, 60), 60u);
  bool big_granted = false;
  uint64_t small_granted = 0;
  const FetchMemory::Ticket big = memory.Acquire(90, 90, [&](uint64_t) { big_granted = true; });
  const FetchMemory::Ticket small = memory.Acquire(30, 50, [&](uint64_t n) { small_granted = n; });
  EXPECT_TRUE(memory.Cancel(big));
  EXPECT_FALSE(big_granted);
  EXPECT_EQ(small_granted, 40u);
  EXPECT_FALSE(memory.Cancel(small));  // granted already: the bytes are its holder's
  EXPECT_EQ(memory.in_use(), 100u);
}

TEST(FetchMemoryTest, ConcurrentHoldersNeverExceedTheCapacity) {
  constexpr uint64_t kCapacity = 1000;
  FetchMemory memory(kCapacity, nullptr, nullptr);
  std::atomic<uint64_t> observed_max{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(t);
      for (int i = 0; i < 5000; ++i) {
        const uint64_t min = 1 + random() % 300;
        const uint64_t want = min + random() % 300;
        // Waits the way a fetch does: queue, then block until granted.
        std::mutex mu;
        std::condition_variable cv;
        uint64_t granted = 0;
        memory.Acquire(min, want, [&](uint64_t n) {
          std::lock_guard lock(mu);
          granted = n;
          cv.notify_one();
        });
        {
          // Not held past the wait: the next Release() may run another thread's callback.
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return granted > 0; });
        }
        EXPECT_GE(granted, min);
        EXPECT_LE(granted, want);
        uint64_t seen = memory.in_use();
        uint64_t prev = observed_max.load();
        while (seen > prev && !observed_max.compare_exchange_weak(prev, seen)) {
        }
        // Settle on fewer bytes, or one batch more, as a read pass does.
        if (random() % 4 == 0 && memory.TryCharge(50)) granted += 50;
        memory.Release(granted);
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_LE(memory.peak(), kCapacity);
  EXPECT_LE(observed_max.load(), kCapacity);
  EXPECT_GT(memory.peak(), kCapacity / 2);  // it was contended, not trivially idle
  EXPECT_EQ(memory.in_use(), 0u);
}

}  // namespace
}  // namespace choreo::broker
