#include "broker/log_rate_limiter.h"

namespace choreo::broker {

LogRateLimiter::Decision LogRateLimiter::Admit(Clock::time_point now) {
  MutexLock lock(&mu_);
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= lines_per_second_) {
    ++suppressed_;
    return {};
  }
  ++in_window_;
  Decision decision{.log = true, .suppressed_before = suppressed_};
  suppressed_ = 0;
  return decision;
}

}  // namespace choreo::broker
