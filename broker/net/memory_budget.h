// MemoryBudget: the broker-wide bound on produce data held in memory (request bytes read from
// sockets whose append has not been answered yet), --max-pending-produce-bytes.
//
// Sessions charge a produce request's frame bytes when they parse it and release them when it is
// answered. A large frame (over one read chunk) must Reserve() its whole length before its body is
// read, so a slow or malicious producer never holds a half-read frame against the budget. While
// the budget is exhausted, sessions that produce stop reading their sockets (TCP back-pressure
// onto the producer) and register a waiter that is called when bytes are released. Memory in use
// is therefore at most the budget plus one read chunk per connection.
//
// Threading: thread-safe. Waiter callbacks run on the releasing thread, outside the lock, and must
// only post (a session posts to its strand).
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "broker/metrics/metrics.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

class MemoryBudget {
 public:
  using WaiterId = uint64_t;

  // `in_use` (borrowed, may be null) mirrors the bytes charged, for the metrics.
  MemoryBudget(uint64_t capacity, Gauge* in_use) : capacity_(capacity), in_use_gauge_(in_use) {}

  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const;
  // True while the charged bytes are at or over the capacity.
  bool Exhausted() const;

  // Charges bytes that are already in memory (a parsed frame); may go over the capacity.
  void Charge(uint64_t bytes);
  // Charges `bytes` only if they fit within the capacity, or if nothing is charged at all (so a
  // frame larger than the whole budget can still pass, alone). Returns whether it charged.
  bool TryReserve(uint64_t bytes);
  // Returns charged bytes; wakes every waiter once the budget is no longer exhausted.
  void Release(uint64_t bytes);

  // Calls `wake` once, as soon as `bytes` would fit (TryReserve's rule; 1 byte = "no longer
  // exhausted"), possibly at once. Waiters re-check when woken and may wait again. Returns an id
  // for CancelWait(), which a closing session calls so its waiter does not linger.
  WaiterId Wait(uint64_t bytes, std::function<void()> wake);
  void CancelWait(WaiterId id);

 private:
  struct Waiter {
    uint64_t bytes;
    std::function<void()> wake;
  };
  bool Fits(uint64_t bytes) const CHOREO_REQUIRES(mu_) {
    return in_use_ == 0 || in_use_ + bytes <= capacity_;
  }

  const uint64_t capacity_;
  Gauge* const in_use_gauge_;
  mutable Mutex mu_;
  uint64_t in_use_ CHOREO_GUARDED_BY(mu_) = 0;
  WaiterId next_waiter_ CHOREO_GUARDED_BY(mu_) = 1;
  std::map<WaiterId, Waiter> waiters_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
