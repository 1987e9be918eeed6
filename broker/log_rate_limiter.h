// LogRateLimiter: lets at most `lines_per_second` log lines through in each one-second window and
// counts the rest, so that a line a remote peer can trigger at will (a library complaining about
// its input) cannot flood the log. The first line let through after a window that suppressed lines
// carries the count, so an operator still learns how many there were.
//
// Threading: thread-safe (one limiter is shared by every thread that logs through it).
#pragma once

#include <chrono>
#include <cstdint>

#include "choreo/common/mutex.h"

namespace choreo::broker {

class LogRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool log = false;
    // When `log`: lines suppressed since the last line let through (0 if none).
    uint64_t suppressed_before = 0;
  };

  explicit LogRateLimiter(uint32_t lines_per_second) : lines_per_second_(lines_per_second) {}

  // Whether a line at `now` may be logged. `now` comes from the caller so tests control time.
  Decision Admit(Clock::time_point now) CHOREO_EXCLUDES(mu_);

 private:
  const uint32_t lines_per_second_;
  Mutex mu_;
  Clock::time_point window_start_ CHOREO_GUARDED_BY(mu_){};
  uint32_t in_window_ CHOREO_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ CHOREO_GUARDED_BY(mu_) = 0;
};

}  // namespace choreo::broker
