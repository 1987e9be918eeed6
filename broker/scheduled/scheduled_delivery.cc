#include "broker/scheduled/scheduled_delivery.h"

#include <absl/time/clock.h>

#include <algorithm>
#include <string>
#include <utility>

#include "broker/handlers/batch_check.h"
#include "broker/logging.h"
#include "broker/metrics/partition_stats.h"
#include "choreo/storage/errors.h"

namespace choreo::broker {
namespace {

int64_t WallClockMs() {
  return absl::ToUnixMillis(absl::Now());
}

// Lateness buckets: 1 ms to 10 min (events due while the broker was down are delivered at start,
// as late as the downtime).
std::vector<double> LatenessBucketsSeconds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600};
}

// The longest the thread sleeps without looking at the store (a safety net: every schedule
// notifies it anyway), and the back-off after a failed write.
constexpr int64_t kIdleRecheckMs = 1000;
constexpr int64_t kWriteFailureBackoffMs = 500;

}  // namespace

ScheduledDelivery::ScheduledDelivery(storage::LogStore& store, TopicTable& topics,
                                     const BrokerOptions& options, const SchemaRegistry* schemas,
                                     MetricsRegistry& registry, PartitionStats& partitions,
                                     Clock clock)
    : store_(store),
      topics_(topics),
      options_(options),
      schemas_(schemas),
      partitions_(partitions),
      clock_(clock ? std::move(clock) : Clock(WallClockMs)) {
  delivered_ = registry.GetCounter("choreo_scheduled_events_delivered_total",
                                   "Scheduled events appended to their topic.");
  delivered_late_ = registry.GetCounter(
      "choreo_scheduled_events_delivered_late_total",
      "Scheduled events appended more than 100 ms after their due time (including those due "
      "while the broker was down).");
  lateness_ = registry.GetHistogram("choreo_scheduled_delivery_lateness_seconds",
                                    "Time from a scheduled event's due time to its append.",
                                    LatenessBucketsSeconds());
  dropped_topic_ = registry.GetCounter(
      "choreo_scheduled_events_dropped_total",
      "Scheduled events removed undelivered: their topic or partition is gone (topic_deleted), "
      "or the topic no longer accepts their batch (rejected).",
      {"reason"}, {"topic_deleted"});
  dropped_rejected_ =
      registry.GetCounter("choreo_scheduled_events_dropped_total", "", {"reason"}, {"rejected"});
  errors_ = registry.GetCounter(
      "choreo_scheduled_delivery_errors_total",
      "Deliveries whose write failed (the event stays pending and is tried again).");
  registry.AddCollector([&store](SampleWriter& writer) {
    writer.Family("choreo_scheduled_events_pending", "gauge",
                  "Scheduled events stored and not yet delivered or cancelled.");
    writer.Sample("choreo_scheduled_events_pending", {},
                  static_cast<double>(store.PendingScheduledEvents()));
  });
}

ScheduledDelivery::~ScheduledDelivery() {
  RequestStop();
  Join();
}

void ScheduledDelivery::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ScheduledDelivery::Notify(int64_t due_ms) {
  MutexLock lock(&mu_);
  if (!notified_due_.has_value() || due_ms < *notified_due_) {
    notified_due_ = due_ms;
    changed_.SignalAll();
  }
}

void ScheduledDelivery::RequestStop() {
  MutexLock lock(&mu_);
  stop_ = true;
  changed_.SignalAll();
}

void ScheduledDelivery::Join() {
  if (thread_.joinable()) thread_.join();
  // Deliveries still in the committer's queue complete (or fail with kClosed) on their own; their
  // callbacks touch this object, so wait for them.
  MutexLock lock(&mu_);
  while (in_flight_ > 0)
    changed_.Wait(&mu_);
}

void ScheduledDelivery::Run() {
  while (true) {
    bool back_off = false;
    {
      MutexLock lock(&mu_);
      if (stop_) return;
      notified_due_.reset();
      back_off = std::exchange(write_failed_, false);
    }
    if (back_off && !WaitUntil(clock_() + kWriteFailureBackoffMs, false)) return;
    const int64_t now_ms = clock_();
    const size_t taken = DeliverDue(now_ms);
    if (taken == kTakeLimit) continue;  // more may be due right now
    absl::StatusOr<std::optional<int64_t>> next = store_.NextDueTime();
    if (!next.ok()) {
      BrokerLog().error("event=error error=\"scheduled events: {}\"", next.status().ToString());
      if (!WaitUntil(clock_() + kWriteFailureBackoffMs, false)) return;
      continue;
    }
    std::optional<int64_t> wake = clock_() + kIdleRecheckMs;
    bool on_delivery = false;
    if (next->has_value()) {
      if (**next <= now_ms) {
        // Due but not taken: being delivered (or cancelled) right now. Look again when one of
        // those finishes rather than spinning.
        on_delivery = true;
        wake = clock_() + 10;
      } else {
        wake = std::min(*wake, **next);
      }
    }
    if (!WaitUntil(wake, on_delivery)) return;
  }
}

bool ScheduledDelivery::WaitUntil(std::optional<int64_t> deadline_ms, bool on_delivery) {
  MutexLock lock(&mu_);
  const uint64_t finished_before = finished_;
  while (!stop_) {
    if (on_delivery && finished_ != finished_before) return true;
    if (notified_due_.has_value() && deadline_ms.has_value() && *notified_due_ < *deadline_ms) {
      deadline_ms = *notified_due_;
    }
    const int64_t now = clock_();
    if (deadline_ms.has_value() && now >= *deadline_ms) return true;
    // The clock is the wall clock (due times are absolute), the wait a steady-clock duration.
    const auto wait =
        std::chrono::milliseconds(deadline_ms.has_value() ? *deadline_ms - now : 1000);
    changed_.WaitUntil(&mu_, std::chrono::steady_clock::now() + wait);
  }
  return false;
}

size_t ScheduledDelivery::DeliverDue(int64_t now_ms) {
  {
    // Bound what is in flight (memory: each holds its batch).
    MutexLock lock(&mu_);
    while (!stop_ && in_flight_ + kTakeLimit > kMaxInFlight)
      changed_.Wait(&mu_);
    if (stop_) return 0;
  }
  absl::StatusOr<std::vector<storage::DueEvent>> due = store_.TakeDueEvents(now_ms, kTakeLimit);
  if (!due.ok()) {
    if (storage::StoreErrorKindOf(due.status()) != storage::StoreErrorKind::kClosed) {
      BrokerLog().error("event=error error=\"scheduled events: {}\"", due.status().ToString());
    }
    MutexLock lock(&mu_);
    write_failed_ = true;
    return 0;
  }
  const size_t taken = due->size();
  for (storage::DueEvent& event : *due)
    Deliver(std::move(event));
  return taken;
}

void ScheduledDelivery::Deliver(storage::DueEvent event) {
  std::optional<storage::TopicInfo> topic = topics_.Find(event.topic);
  storage::BatchFields fields;
  std::string message;
  std::optional<storage::BatchFields> accepted;
  if (topic.has_value() && topic->id == event.topic_id) {
    // Checked again: the topic's limits or validation may have changed since it was scheduled.
    if (CheckBatch(options_, topic, event.topic, event.partition, event.batch, &fields, &message,
                   schemas_) == proto::NONE) {
      accepted = std::move(fields);
    } else {
      BrokerLog().warn("scheduled event '{}' for topic '{}' dropped: {}", event.id, event.topic,
                       message);
    }
  } else {
    // The store sees the topic is gone and drops the event.
    accepted = std::move(fields);
    accepted->record_count = event.record_count;
  }
  {
    MutexLock lock(&mu_);
    ++in_flight_;
  }
  const uint64_t batch_bytes = event.batch.size();
  storage::DueEvent identity{.id = event.id,
                             .due_ms = event.due_ms,
                             .topic_id = event.topic_id,
                             .topic = event.topic,
                             .partition = event.partition,
                             .record_count = event.record_count,
                             .batch = {}};
  // Runs on the committer thread: no blocking.
  store_.DeliverDueEvent(std::move(event), std::move(accepted),
                         [this, identity = std::move(identity),
                          batch_bytes](absl::StatusOr<storage::AppendResult> result) {
                           Delivered(identity, batch_bytes, result);
                         });
}

void ScheduledDelivery::Delivered(const storage::DueEvent& event, uint64_t batch_bytes,
                                  const absl::StatusOr<storage::AppendResult>& result) {
  if (result.ok()) {
    const int64_t late_ms = std::max<int64_t>(0, clock_() - event.due_ms);
    delivered_->Increment();
    lateness_->Observe(static_cast<double>(late_ms) / 1000.0);
    if (late_ms > kLateAfter.count()) delivered_late_->Increment();
    partitions_.Get(event.topic_id, event.partition)->Produced(batch_bytes, event.record_count);
  } else {
    switch (storage::StoreErrorKindOf(result.status())) {
      case storage::StoreErrorKind::kUnknownTopic:
      case storage::StoreErrorKind::kInvalidPartition:
        dropped_topic_->Increment();
        BrokerLog().warn("scheduled event '{}' dropped: {}", event.id,
                         std::string(result.status().message()));
        break;
      case storage::StoreErrorKind::kInvalidBatch:
        dropped_rejected_->Increment();
        break;
      case storage::StoreErrorKind::kClosed:
        break;  // shutting down: still pending, delivered after the restart
      default:
        errors_->Increment();
        BrokerLog().error("event=error error=\"{}\"", result.status().ToString());
        MutexLock lock(&mu_);
        write_failed_ = true;
        break;
    }
  }
  MutexLock lock(&mu_);
  --in_flight_;
  ++finished_;
  changed_.SignalAll();
}

}  // namespace choreo::broker
