// AuthFailures: what happens around a failed authentication (README "Authentication and ACLs"):
// it is counted in choreo_auth_failures_total{mechanism}, logged with the peer address (at most
// 10 lines a second: a client with a wrong password in a retry loop must not flood the log), and
// held against the peer's IP address: after `max_failures` failures within `window`, further
// attempts from that address are refused at once (choreo_auth_rate_limited_total) until the
// window ends. A success clears the address's count.
//
// Memory is bounded: at most `max_addresses` addresses are tracked; when the table is full,
// expired entries go first, then the entry whose window started longest ago.
//
// Threading: thread-safe. Time comes from the caller so tests control it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/log_rate_limiter.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

class Counter;
class MetricsRegistry;

class AuthFailures {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    uint32_t max_failures = 5;
    std::chrono::seconds window{60};
    size_t max_addresses = 10000;
  };

  // `registry` is borrowed and must outlive this object.
  AuthFailures(MetricsRegistry& registry, Limits limits);

  // Whether `peer` ("ip:port" or "[ip6]:port") may try to authenticate now; false (counted) while
  // its address is over the limit. `retry_after` is set to the rest of the window then.
  bool Admit(std::string_view peer, Clock::time_point now, std::chrono::seconds* retry_after)
      CHOREO_EXCLUDES(mu_);
  // A failure of `mechanism` ("SCRAM-SHA-256", "PLAIN", "mtls", "http-basic", "none" for a
  // request before any authentication; a name the client chose that is none of these counts and
  // logs as "other") from `peer`, for `reason` (logged, never sent).
  void Failed(std::string_view mechanism, std::string_view peer, std::string_view reason,
              Clock::time_point now) CHOREO_EXCLUDES(mu_);
  void Succeeded(std::string_view peer) CHOREO_EXCLUDES(mu_);

  size_t tracked_addresses() const CHOREO_EXCLUDES(mu_);

  // The address part of "ip:port" / "[ip6]:port".
  static std::string_view AddressOf(std::string_view peer);

 private:
  struct Entry {
    uint32_t failures = 0;
    Clock::time_point window_start;
  };
  Counter* FailureCounter(std::string_view mechanism);
  void MakeRoom(Clock::time_point now) CHOREO_REQUIRES(mu_);

  MetricsRegistry& registry_;
  const Limits limits_;
  Counter* rate_limited_;
  LogRateLimiter log_limiter_{10};
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, Entry> addresses_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
