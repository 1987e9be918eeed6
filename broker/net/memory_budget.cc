#include "broker/net/memory_budget.h"

#include <utility>
#include <vector>

namespace choreo::broker {

uint64_t MemoryBudget::in_use() const {
  MutexLock lock(&mu_);
  return in_use_;
}

bool MemoryBudget::Exhausted() const {
  MutexLock lock(&mu_);
  return in_use_ >= capacity_;
}

void MemoryBudget::Charge(uint64_t bytes) {
  MutexLock lock(&mu_);
  in_use_ += bytes;
  if (in_use_gauge_ != nullptr) in_use_gauge_->Set(static_cast<int64_t>(in_use_));
}

bool MemoryBudget::TryReserve(uint64_t bytes) {
  MutexLock lock(&mu_);
  if (!Fits(bytes)) return false;
  in_use_ += bytes;
  if (in_use_gauge_ != nullptr) in_use_gauge_->Set(static_cast<int64_t>(in_use_));
  return true;
}

void MemoryBudget::Release(uint64_t bytes) {
  std::vector<std::function<void()>> woken;
  {
    MutexLock lock(&mu_);
    in_use_ -= bytes < in_use_ ? bytes : in_use_;
    if (in_use_gauge_ != nullptr) in_use_gauge_->Set(static_cast<int64_t>(in_use_));
    // Every waiter that would fit now is woken; each re-checks, and those that lose the race to
    // another waiter wait again. The paused sessions are few (the producers), so this is cheap.
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (Fits(it->second.bytes)) {
        woken.push_back(std::move(it->second.wake));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& wake : woken)
    wake();
}

MemoryBudget::WaiterId MemoryBudget::Wait(uint64_t bytes, std::function<void()> wake) {
  WaiterId id = 0;
  {
    MutexLock lock(&mu_);
    id = next_waiter_++;
    // Released between the caller's check and this call: do not wait for another release.
    if (!Fits(bytes)) {
      waiters_.emplace(id, Waiter{bytes, std::move(wake)});
      return id;
    }
  }
  wake();
  return id;
}

void MemoryBudget::CancelWait(WaiterId id) {
  MutexLock lock(&mu_);
  waiters_.erase(id);
}

}  // namespace choreo::broker
