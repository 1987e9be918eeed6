#include "broker/metrics/broker_metrics.h"

#include <absl/strings/ascii.h>

#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {
namespace {

constexpr int kErrorCodes = proto::ErrorCode_ARRAYSIZE;

const char* ProtocolErrorName(ProtocolError error) {
  switch (error) {
    case ProtocolError::kUnparsable:
      return "unparsable_frame";
    case ProtocolError::kHandshakeRequired:
      return "handshake_required";
    case ProtocolError::kUnsupportedVersion:
      return "unsupported_version";
    case ProtocolError::kCount:
      break;
  }
  return "unknown";
}

}  // namespace

const char* LimitName(Limit limit) {
  switch (limit) {
    case Limit::kMaxConnections:
      return "max_connections";
    case Limit::kMaxInFlight:
      return "max_in_flight";
    case Limit::kMaxFrameBytes:
      return "max_frame_bytes";
    case Limit::kMaxFetchBytes:
      return "max_fetch_bytes";
    case Limit::kPendingProduceBytes:
      return "max_pending_produce_bytes";
    case Limit::kFetchMemoryBytes:
      return "max_fetch_memory_bytes";
    case Limit::kHandshakeTimeout:
      return "handshake_timeout";
    case Limit::kIdleTimeout:
      return "idle_timeout";
    case Limit::kCount:
      break;
  }
  return "unknown";
}

BrokerMetrics::BrokerMetrics(MetricsRegistry& registry,
                             const std::vector<std::pair<int, std::string>>& apis)
    : registry_(registry) {
  for (const auto& [body_case, name] : apis) {
    if (body_case < 0 || static_cast<size_t>(body_case) >= kMaxApis) continue;
    Api& api = apis_[body_case];
    api.name = name;
    api.requests =
        registry.GetCounter("choreo_requests_total", "Requests answered, by API.", {"api"}, {name});
    api.seconds = registry.GetHistogram(
        "choreo_request_duration_seconds",
        "Time from reading a request to queueing its response, by API (long polls included).",
        LatencyBucketsSeconds(), {"api"}, {name});
    api.errors = std::make_unique<std::atomic<Counter*>[]>(kErrorCodes);
    for (int i = 0; i < kErrorCodes; ++i)
      api.errors[i].store(nullptr);
  }
  for (size_t i = 0; i < limit_hits_.size(); ++i) {
    limit_hits_[i] = registry.GetCounter(
        "choreo_limit_hits_total",
        "Times a broker limit triggered (connection refused or closed, reading paused, fetch "
        "clamped), by limit flag.",
        {"limit"}, {LimitName(static_cast<Limit>(i))});
  }
  for (size_t i = 0; i < protocol_errors_.size(); ++i) {
    protocol_errors_[i] = registry.GetCounter(
        "choreo_protocol_errors_total",
        "Connections closed for a protocol violation other than a limit, by reason.", {"reason"},
        {ProtocolErrorName(static_cast<ProtocolError>(i))});
  }
  connections_accepted_ =
      registry.GetCounter("choreo_connections_accepted_total", "Connections accepted.");
  connections_open_ = registry.GetGauge("choreo_connections",
                                        "Open client connections (including rejected ones "
                                        "still being closed).");
  pending_produce_bytes_ = registry.GetGauge(
      "choreo_produce_pending_bytes",
      "Produce request bytes in memory: read from sockets and not yet appended and answered.");
  fetch_memory_bytes_ = registry.GetGauge("choreo_fetch_memory_bytes",
                                          "Fetch response bytes in memory: granted to fetches or "
                                          "read, and not yet written to sockets.");
  fetch_memory_peak_bytes_ = registry.GetGauge(
      "choreo_fetch_memory_peak_bytes",
      "The highest choreo_fetch_memory_bytes since the broker started (compare with "
      "--max-fetch-memory-bytes).");
  append_seconds_ = registry.GetHistogram(
      "choreo_append_duration_seconds",
      "Time from handing a batch to the store until it is durable per the fsync policy (group "
      "commit wait, write and fsync).",
      LatencyBucketsSeconds());
  hops_[static_cast<size_t>(Hop::kAppendResume)] = HopHistogram(registry, "append_resume");
  hops_[static_cast<size_t>(Hop::kFetchWake)] = HopHistogram(registry, "fetch_wake");
  hops_[static_cast<size_t>(Hop::kFetchRead)] = HopHistogram(registry, "fetch_read");
  hops_[static_cast<size_t>(Hop::kResponseWrite)] = HopHistogram(registry, "response_write");
  produce_batch_bytes_ = registry.GetHistogram(
      "choreo_produce_batch_bytes", "Size of the record batches appended.", SizeBuckets());
  topics_auto_created_ = registry.GetCounter("choreo_topics_auto_created_total",
                                             "Topics created by --auto-create-topics.");
  retention_runs_ =
      registry.GetCounter("choreo_retention_runs_total", "Retention passes over all topics.");
  retention_errors_ =
      registry.GetCounter("choreo_retention_errors_total", "Retention passes that failed.");
  retention_deleted_bytes_ = registry.GetCounter("choreo_retention_deleted_bytes_total",
                                                 "Record batch bytes dropped by retention.");
  retention_seconds_ = registry.GetHistogram("choreo_retention_duration_seconds",
                                             "Duration of a retention pass (including the "
                                             "compaction that reclaims the space).",
                                             LatencyBucketsSeconds());
}

void BrokerMetrics::RequestDone(int body_case, double seconds, int error_code) {
  if (body_case < 0 || static_cast<size_t>(body_case) >= kMaxApis) return;
  Api& api = apis_[body_case];
  if (api.requests == nullptr) return;  // not a registered API
  api.requests->Increment();
  api.seconds->Observe(seconds);
  if (error_code != 0) {
    if (Counter* errors = ErrorCounter(api, error_code)) errors->Increment();
  }
}

Counter* BrokerMetrics::ErrorCounter(Api& api, int error_code) {
  if (error_code < 0 || error_code >= kErrorCodes) return nullptr;
  Counter* counter = api.errors[error_code].load(std::memory_order_acquire);
  if (counter != nullptr) return counter;
  // First error of this kind for this API: the registry returns the same series to every racer.
  std::string code = proto::ErrorCode_Name(static_cast<proto::ErrorCode>(error_code));
  absl::AsciiStrToLower(&code);
  counter = registry_.GetCounter("choreo_request_errors_total",
                                 "Requests answered with an error, by API and error code.",
                                 {"api", "code"}, {api.name, code});
  api.errors[error_code].store(counter, std::memory_order_release);
  return counter;
}

}  // namespace choreo::broker
