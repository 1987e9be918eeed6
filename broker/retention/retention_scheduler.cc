#include "broker/retention/retention_scheduler.h"

#include <chrono>

#include "broker/logging.h"

namespace choreo::broker {
namespace {

int64_t WallClockMs() {
  return absl::ToUnixMillis(absl::Now());
}

}  // namespace

RetentionScheduler::RetentionScheduler(storage::LogStore& store, absl::Duration interval,
                                       BrokerMetrics& metrics, Clock clock)
    : store_(store),
      interval_(interval),
      metrics_(metrics),
      clock_(clock ? std::move(clock) : Clock(WallClockMs)) {}

RetentionScheduler::~RetentionScheduler() {
  RequestStop();
  Join();
}

void RetentionScheduler::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RetentionScheduler::RequestStop() {
  MutexLock lock(&mu_);
  stop_ = true;
  stop_changed_.SignalAll();
}

void RetentionScheduler::Join() {
  if (thread_.joinable()) thread_.join();
}

bool RetentionScheduler::Stopping() {
  MutexLock lock(&mu_);
  return stop_;
}

void RetentionScheduler::Run() {
  const auto interval = absl::ToChronoNanoseconds(interval_);
  while (true) {
    {
      MutexLock lock(&mu_);
      const auto deadline = std::chrono::steady_clock::now() + interval;
      while (!stop_ && std::chrono::steady_clock::now() < deadline)
        stop_changed_.WaitUntil(&mu_, deadline);
      if (stop_) return;
    }
    RunPass();
  }
}

void RetentionScheduler::RunPass() {
  ExpireProducers();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int64_t> dropped = store_.ApplyRetention(clock_());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.retention_runs().Increment();
  metrics_.retention_seconds().Observe(seconds);
  if (!dropped.ok()) {
    // At shutdown the store's Close() cancels the pass: expected, not worth an error line.
    if (!Stopping()) {
      metrics_.retention_errors().Increment();
      BrokerLog().error("event=error error=\"retention pass failed: {}\"",
                        dropped.status().ToString());
    }
    return;
  }
  if (*dropped == 0) return;
  metrics_.retention_deleted_bytes().Increment(static_cast<uint64_t>(*dropped));
  // The compaction has freed the SST space, but the WAL files that carried the dropped batches
  // stay until every column family with data in them has flushed, and the rarely written `meta`
  // family (which the pass itself just wrote) keeps them alive up to RocksDB's
  // max_total_wal_size. Flushing now lets them go, so the disk space really comes back.
  if (absl::Status flushed = store_.Flush(); !flushed.ok() && !Stopping()) {
    metrics_.retention_errors().Increment();
    BrokerLog().warn("event=error error=\"flush after retention failed: {}\"", flushed.ToString());
  }
  BrokerLog().info("event=retention dropped_bytes={} seconds={:.3f}", *dropped, seconds);
}

void RetentionScheduler::ExpireProducers() {
  absl::StatusOr<size_t> expired = store_.ExpireProducers(clock_());
  if (!expired.ok()) {
    if (!Stopping()) {
      metrics_.retention_errors().Increment();
      BrokerLog().error("event=error error=\"producer expiry failed: {}\"",
                        expired.status().ToString());
    }
    return;
  }
  if (*expired > 0) BrokerLog().info("event=producers_expired count={}", *expired);
}

}  // namespace choreo::broker
