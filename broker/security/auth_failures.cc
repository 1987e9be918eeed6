#include "broker/security/auth_failures.h"

#include <absl/strings/str_cat.h>

#include "broker/logging.h"
#include "broker/metrics/metrics.h"

namespace choreo::broker {
namespace {

// The mechanism as a metric label and log word. A client names the mechanism it tries, so an
// unknown one becomes "other": its own name would make label values without bound and could
// forge log lines.
std::string_view MechanismLabel(std::string_view mechanism) {
  if (mechanism.empty()) return "none";
  for (std::string_view known : {"SCRAM-SHA-256", "PLAIN", "mtls", "none", "http-basic"})
    if (mechanism == known) return known;
  return "other";
}

}  // namespace

AuthFailures::AuthFailures(MetricsRegistry& registry, Limits limits)
    : registry_(registry),
      limits_(limits),
      rate_limited_(registry.GetCounter(
          "choreo_auth_rate_limited_total",
          "Authentication attempts refused at once because their address failed too often")) {}

std::string_view AuthFailures::AddressOf(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    const size_t end = peer.find(']');
    return end == std::string_view::npos ? peer : peer.substr(1, end - 1);
  }
  const size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

Counter* AuthFailures::FailureCounter(std::string_view mechanism) {
  return registry_.GetCounter("choreo_auth_failures_total",
                              "Failed or missing authentications on the protocol listeners",
                              {"mechanism"}, {std::string(mechanism)});
}

bool AuthFailures::Admit(std::string_view peer, Clock::time_point now,
                         std::chrono::seconds* retry_after) {
  MutexLock lock(&mu_);
  auto it = addresses_.find(std::string(AddressOf(peer)));
  if (it == addresses_.end()) return true;
  if (now - it->second.window_start >= limits_.window) {
    addresses_.erase(it);
    return true;
  }
  if (it->second.failures < limits_.max_failures) return true;
  rate_limited_->Increment();
  if (retry_after != nullptr) {
    *retry_after = std::chrono::duration_cast<std::chrono::seconds>(it->second.window_start +
                                                                    limits_.window - now) +
                   std::chrono::seconds(1);
  }
  return false;
}

void AuthFailures::Failed(std::string_view mechanism, std::string_view peer,
                          std::string_view reason, Clock::time_point now) {
  mechanism = MechanismLabel(mechanism);
  FailureCounter(mechanism)->Increment();
  {
    MutexLock lock(&mu_);
    const std::string address(AddressOf(peer));
    auto it = addresses_.find(address);
    if (it == addresses_.end()) {
      MakeRoom(now);
      it = addresses_.emplace(address, Entry{0, now}).first;
    } else if (now - it->second.window_start >= limits_.window) {
      it->second = Entry{0, now};
    }
    ++it->second.failures;
  }
  const LogRateLimiter::Decision decision = log_limiter_.Admit(now);
  if (!decision.log) return;
  NetLog().warn("event=authentication_failed peer={} mechanism={} reason=\"{}\"{}", peer, mechanism,
                reason,
                decision.suppressed_before > 0
                    ? absl::StrCat(" suppressed_before=", decision.suppressed_before)
                    : "");
}

void AuthFailures::Succeeded(std::string_view peer) {
  MutexLock lock(&mu_);
  addresses_.erase(std::string(AddressOf(peer)));
}

size_t AuthFailures::tracked_addresses() const {
  MutexLock lock(&mu_);
  return addresses_.size();
}

void AuthFailures::MakeRoom(Clock::time_point now) {
  if (addresses_.size() < limits_.max_addresses) return;
  absl::erase_if(addresses_, [&](const auto& entry) {
    return now - entry.second.window_start >= limits_.window;
  });
  while (addresses_.size() >= limits_.max_addresses) {
    auto oldest = addresses_.begin();
    for (auto it = addresses_.begin(); it != addresses_.end(); ++it)
      if (it->second.window_start < oldest->second.window_start) oldest = it;
    addresses_.erase(oldest);
  }
}

}  // namespace choreo::broker
