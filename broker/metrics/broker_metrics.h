// BrokerMetrics: the broker's own metrics, registered once in a MetricsRegistry, with the pointers
// the hot path updates cached here so that counting a request is a few relaxed atomic adds: no map
// lookup, no label formatting, no lock.
//
// Names follow Prometheus conventions: `choreo_` prefix, base units (`_seconds`, `_bytes`),
// counters end in `_total`. The full list is in broker/README.md ("Operations").
//
// Threading: thread-safe. Ownership: the registry is borrowed and must outlive this object; the
// returned pointers stay valid for the registry's lifetime.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/metrics/metrics.h"
#include "broker/metrics/partition_stats.h"

namespace choreo::broker {

// Every broker limit that can trigger; each has a series of choreo_limit_hits_total{limit=...}.
enum class Limit {
  kMaxConnections,       // a connection was turned away
  kMaxInFlight,          // a connection's reader paused: too many unanswered requests or bytes
  kMaxFrameBytes,        // a frame's declared length was over the limit (connection closed)
  kMaxFetchBytes,        // a fetch asked for more than the broker's cap (clamped)
  kPendingProduceBytes,  // a producing connection paused: the produce memory budget was full
  kFetchMemoryBytes,     // a fetch waited: the broker-wide fetch memory budget was full
  kHandshakeTimeout,     // a connection did not handshake in time (closed)
  kIdleTimeout,          // an idle connection was closed
  kCount,
};
const char* LimitName(Limit limit);

// Protocol violations other than limits, in choreo_protocol_errors_total{reason=...}.
enum class ProtocolError { kUnparsable, kHandshakeRequired, kUnsupportedVersion, kCount };

// Hops of choreo_hop_duration_seconds timed outside the store.
enum class Hop { kAppendResume, kFetchWake, kFetchRead, kResponseWrite, kCount };

class BrokerMetrics {
 public:
  // `apis` lists (Request body case, API name) for the per-API request series.
  BrokerMetrics(MetricsRegistry& registry, const std::vector<std::pair<int, std::string>>& apis);

  MetricsRegistry& registry() { return registry_; }
  PartitionStats& partitions() { return partitions_; }

  void LimitHit(Limit limit) { limit_hits_[static_cast<size_t>(limit)]->Increment(); }
  void ProtocolViolation(ProtocolError error) {
    protocol_errors_[static_cast<size_t>(error)]->Increment();
  }
  // One answered request: its API (body case), time from admission to answer, and the
  // request-level error code (0 = NONE).
  void RequestDone(int body_case, double seconds, int error_code);

  void ConnectionOpened() {
    connections_accepted_->Increment();
    connections_open_->Add(1);
  }
  void ConnectionClosed() { connections_open_->Add(-1); }

  Gauge& pending_produce_bytes() { return *pending_produce_bytes_; }
  Gauge& fetch_memory_bytes() { return *fetch_memory_bytes_; }
  Gauge& fetch_memory_peak_bytes() { return *fetch_memory_peak_bytes_; }
  // Produce data handed to the store until it is durable (group commit + write + fsync).
  Histogram& append_seconds() { return *append_seconds_; }
  Histogram& produce_batch_bytes() { return *produce_batch_bytes_; }
  Histogram& hop(Hop hop) { return *hops_[static_cast<size_t>(hop)]; }
  Counter& topics_auto_created() { return *topics_auto_created_; }

  Counter& retention_runs() { return *retention_runs_; }
  Counter& retention_errors() { return *retention_errors_; }
  Counter& retention_deleted_bytes() { return *retention_deleted_bytes_; }
  Histogram& retention_seconds() { return *retention_seconds_; }

 private:
  std::array<Histogram*, static_cast<size_t>(Hop::kCount)> hops_{};
  static constexpr size_t kMaxApis = 64;  // body cases are proto field numbers, all below 64

  struct Api {
    std::string name;
    Counter* requests = nullptr;
    Histogram* seconds = nullptr;
    // Error series are created on first use (most API x code pairs never happen).
    std::unique_ptr<std::atomic<Counter*>[]> errors;
  };
  Counter* ErrorCounter(Api& api, int error_code);

  MetricsRegistry& registry_;
  PartitionStats partitions_;
  std::array<Api, kMaxApis> apis_;
  std::array<Counter*, static_cast<size_t>(Limit::kCount)> limit_hits_{};
  std::array<Counter*, static_cast<size_t>(ProtocolError::kCount)> protocol_errors_{};
  Counter* connections_accepted_;
  Gauge* connections_open_;
  Gauge* pending_produce_bytes_;
  Gauge* fetch_memory_bytes_;
  Gauge* fetch_memory_peak_bytes_;
  Histogram* append_seconds_;
  Histogram* produce_batch_bytes_;
  Counter* topics_auto_created_;
  Counter* retention_runs_;
  Counter* retention_errors_;
  Counter* retention_deleted_bytes_;
  Histogram* retention_seconds_;
};

}  // namespace choreo::broker
