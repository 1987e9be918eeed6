#include "broker/net/fetch_memory.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace choreo::broker {

uint64_t FetchMemory::in_use() const {
  MutexLock lock(&mu_);
  return in_use_;
}

uint64_t FetchMemory::peak() const {
  MutexLock lock(&mu_);
  return peak_;
}

uint64_t FetchMemory::ChargeGrant(uint64_t min, uint64_t want) {
  const uint64_t free = capacity_ > in_use_ ? capacity_ - in_use_ : 0;
  const uint64_t grant = std::max(min, std::min(want, free));
  in_use_ += grant;
  Publish();
  return grant;
}

void FetchMemory::Publish() {
  peak_ = std::max(peak_, in_use_);
  if (in_use_gauge_ != nullptr) in_use_gauge_->Set(static_cast<int64_t>(in_use_));
  if (peak_gauge_ != nullptr) peak_gauge_->Set(static_cast<int64_t>(peak_));
}

uint64_t FetchMemory::TryAcquire(uint64_t min, uint64_t want) {
  MutexLock lock(&mu_);
  if (!queue_.empty() || !Fits(min)) return 0;
  return ChargeGrant(min, want);
}

FetchMemory::Ticket FetchMemory::Acquire(uint64_t min, uint64_t want, GrantCallback granted) {
  Ticket ticket = 0;
  uint64_t grant = 0;
  {
    MutexLock lock(&mu_);
    ticket = next_ticket_++;
    if (!queue_.empty() || !Fits(min)) {
      queue_.emplace(ticket, Request{min, want, std::move(granted)});
      return ticket;
    }
    grant = ChargeGrant(min, want);
  }
  granted(grant);
  return ticket;
}

void FetchMemory::GrantQueued(Granted* woken) {
  while (!queue_.empty() && Fits(queue_.begin()->second.min)) {
    Request& next = queue_.begin()->second;
    woken->emplace_back(std::move(next.granted), ChargeGrant(next.min, next.want));
    queue_.erase(queue_.begin());
  }
}

bool FetchMemory::Cancel(Ticket ticket) {
  Granted woken;
  bool cancelled = false;
  {
    MutexLock lock(&mu_);
    auto it = queue_.find(ticket);
    if (it == queue_.end()) return false;
    const bool was_head = it == queue_.begin();
    queue_.erase(it);
    cancelled = true;
    // The head may have been all that held the requests behind it back.
    if (was_head) GrantQueued(&woken);
  }
  for (auto& [granted, bytes] : woken)
    granted(bytes);
  return cancelled;
}

bool FetchMemory::TryCharge(uint64_t bytes) {
  MutexLock lock(&mu_);
  if (!queue_.empty() || !Fits(bytes)) return false;
  in_use_ += bytes;
  Publish();
  return true;
}

void FetchMemory::Release(uint64_t bytes) {
  if (bytes == 0) return;
  Granted woken;
  {
    MutexLock lock(&mu_);
    in_use_ -= std::min(bytes, in_use_);
    Publish();
    GrantQueued(&woken);
  }
  for (auto& [granted, bytes_granted] : woken)
    granted(bytes_granted);
}

}  // namespace choreo::broker
