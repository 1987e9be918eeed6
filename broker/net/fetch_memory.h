// FetchMemory: the broker-wide bound on fetch response bytes held in memory,
// --max-fetch-memory-bytes (the fetch side of MemoryBudget, which bounds produce data).
//
// A fetch is granted bytes before it reads the store and holds what it read until its response
// has been written to the socket (the session releases it then). Grants are first come, first
// served: while a request waits, later ones queue behind it, so a fetch that needs a large batch
// is not starved by a stream of small ones. A grant is between `min` and `want` bytes; `min` fits
// when the charged bytes plus `min` stay within the capacity, or when nothing is charged at all
// (so a batch larger than the whole budget is still served, alone). Bytes in use are therefore at
// most the capacity, or one response when that response alone is larger.
//
// No holder waits for more while it holds bytes (a fetch returns its grant before it waits for a
// larger one, or for data), and every holder lets go once its response is written or its
// connection closed, so waiting cannot deadlock.
//
// Threading: thread-safe. Grant callbacks run on the caller's or the releasing thread, outside the
// lock, and must only post.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "broker/metrics/metrics.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

class FetchMemory {
 public:
  using Ticket = uint64_t;
  using GrantCallback = std::function<void(uint64_t granted)>;

  // `in_use` and `peak` (borrowed, may be null) mirror the bytes charged and their highest value.
  FetchMemory(uint64_t capacity, Gauge* in_use, Gauge* peak)
      : capacity_(capacity), in_use_gauge_(in_use), peak_gauge_(peak) {}

  uint64_t capacity() const { return capacity_; }
  uint64_t in_use() const;
  // The highest in_use() so far.
  uint64_t peak() const;

  // Charges and returns a grant of [min, want] bytes (as much of `want` as is free) if `min` fits
  // and nobody is queued; otherwise charges nothing and returns 0. Requires 0 < min <= want.
  uint64_t TryAcquire(uint64_t min, uint64_t want);
  // Like TryAcquire, but when the grant cannot be made now, queues it: `granted` is called once
  // with the bytes charged for the caller (possibly at once, on this thread). Returns a ticket
  // for Cancel().
  Ticket Acquire(uint64_t min, uint64_t want, GrantCallback granted);
  // Withdraws a queued request. Returns false if it was granted already: its callback has run or
  // is running, and the bytes it was given must be released by whoever receives them.
  bool Cancel(Ticket ticket);
  // Charges `bytes` more for a holder whose response came out larger than its grant (one batch
  // over), under the same rule as a grant of min = `bytes`. Returns whether it charged.
  bool TryCharge(uint64_t bytes);
  // Returns charged bytes and grants queued requests, in order, while they fit.
  void Release(uint64_t bytes);

 private:
  struct Request {
    uint64_t min;
    uint64_t want;
    GrantCallback granted;
  };
  bool Fits(uint64_t bytes) const CHOREO_REQUIRES(mu_) {
    return in_use_ == 0 || in_use_ + bytes <= capacity_;
  }
  // Charges the grant for a request whose `min` fits.
  uint64_t ChargeGrant(uint64_t min, uint64_t want) CHOREO_REQUIRES(mu_);
  void Publish() CHOREO_REQUIRES(mu_);
  // Grants queued requests from the head while they fit; the callbacks are run by the caller,
  // after unlocking.
  using Granted = std::vector<std::pair<GrantCallback, uint64_t>>;
  void GrantQueued(Granted* woken) CHOREO_REQUIRES(mu_);

  const uint64_t capacity_;
  Gauge* const in_use_gauge_;
  Gauge* const peak_gauge_;
  mutable Mutex mu_;
  uint64_t in_use_ CHOREO_GUARDED_BY(mu_) = 0;
  uint64_t peak_ CHOREO_GUARDED_BY(mu_) = 0;
  Ticket next_ticket_ CHOREO_GUARDED_BY(mu_) = 1;
  std::map<Ticket, Request> queue_ CHOREO_GUARDED_BY(mu_);  // in arrival order
};

}  // namespace choreo::broker
