// A fetch's share of the broker-wide fetch memory (FetchMemory, --max-fetch-memory-bytes): how the
// fetch handler waits for a grant on its strand, and the bytes it holds until the session takes
// them over with the response.
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <utility>

#include "broker/handlers/request_context.h"
#include "broker/net/fetch_memory.h"

namespace choreo::broker {

// Bytes of FetchMemory held by one fetch; returns them on destruction unless Take()n.
// Strand-owned.
class FetchMemoryHold {
 public:
  explicit FetchMemoryHold(FetchMemory& memory) : memory_(memory) {}
  ~FetchMemoryHold() { memory_.Release(bytes_); }
  FetchMemoryHold(const FetchMemoryHold&) = delete;
  FetchMemoryHold& operator=(const FetchMemoryHold&) = delete;

  uint64_t bytes() const { return bytes_; }
  // Adds bytes already charged for this fetch.
  void Add(uint64_t bytes) { bytes_ += bytes; }
  // Keeps at most `keep` bytes and returns the rest.
  void ShrinkTo(uint64_t keep) {
    if (keep >= bytes_) return;
    memory_.Release(bytes_ - keep);
    bytes_ = keep;
  }
  // Hands the bytes over (to the session, which returns them once the response is written).
  uint64_t Take() { return std::exchange(bytes_, 0); }

 private:
  FetchMemory& memory_;
  uint64_t bytes_ = 0;
};

// Waits, on ctx's strand, for a grant of [min, want] bytes of ctx.services.fetch_memory and adds
// it to `hold`. Returns false, granting nothing, if the connection began closing first. A wait is
// counted in choreo_limit_hits_total{limit="max_fetch_memory_bytes"}.
asio::awaitable<bool> AcquireFetchMemory(RequestContext& ctx, uint64_t min, uint64_t want,
                                         FetchMemoryHold& hold);

}  // namespace choreo::broker
