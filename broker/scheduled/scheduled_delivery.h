// ScheduledDelivery: appends scheduled events to their topics when they are due, on a thread of
// its own (LogStore::TakeDueEvents / DeliverDueEvent; storage/scheduled_events.h has the store's
// side and its exactly-once argument).
//
// The thread sleeps until the earliest pending due time (one seek in the store) or until a newly
// scheduled event is due earlier (Notify), takes the due events in due order, checks each batch
// again as a produce would (the topic may have changed since: a lower size limit, schema
// validation switched on), and hands it to the store, which appends it and removes the event in
// one write. Deliveries run through the group commit like appends, many in flight at once (up to
// kMaxInFlight), so a burst of due events costs a few group commits, not one fsync each.
//
// An event whose batch the topic no longer accepts, or whose topic or partition is gone, is
// dropped (removed, counted, logged); one whose write fails (a full disk) stays pending and is
// tried again after a back-off.
//
// Metrics: choreo_scheduled_events_pending, choreo_scheduled_events_delivered_total,
// choreo_scheduled_events_delivered_late_total (more than kLateAfter after the due time),
// choreo_scheduled_delivery_lateness_seconds, choreo_scheduled_events_dropped_total{reason},
// choreo_scheduled_delivery_errors_total.
//
// Lifecycle: Start() once; RequestStop(); Join() (the destructor does both). Stop before the
// store closes: events taken and not yet written are simply taken again after a restart.
#pragma once

#include <absl/time/time.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>

#include "broker/metrics/metrics.h"
#include "broker/topic/topic_table.h"
#include "choreo/broker/broker.h"
#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class PartitionStats;
class SchemaRegistry;

class ScheduledDelivery {
 public:
  // Milliseconds since the Unix epoch; injectable so tests can move time.
  using Clock = std::function<int64_t()>;

  // Events taken from the store per pass, and deliveries in flight at most.
  static constexpr size_t kTakeLimit = 1000;
  static constexpr size_t kMaxInFlight = 4000;
  // An event delivered later than this after its due time counts as late.
  static constexpr std::chrono::milliseconds kLateAfter{100};

  // All borrowed; they must outlive this object.
  // `schemas` may be null (no schema validation at delivery).
  ScheduledDelivery(storage::LogStore& store, TopicTable& topics, const BrokerOptions& options,
                    const SchemaRegistry* schemas, MetricsRegistry& registry,
                    PartitionStats& partitions, Clock clock = nullptr);
  ~ScheduledDelivery();
  ScheduledDelivery(const ScheduledDelivery&) = delete;
  ScheduledDelivery& operator=(const ScheduledDelivery&) = delete;

  void Start();
  // A new event is due at `due_ms`: wake up earlier if it is due before the current plan.
  void Notify(int64_t due_ms);
  void RequestStop();
  void Join();

 private:
  void Run();
  // One pass: takes what is due and hands it to the store. Returns how many were taken.
  size_t DeliverDue(int64_t now_ms);
  void Deliver(storage::DueEvent event);
  void Delivered(const storage::DueEvent& event, uint64_t batch_bytes,
                 const absl::StatusOr<storage::AppendResult>& result);
  // Sleeps until `deadline_ms` (the clock's time), a Notify() earlier than that, a finished
  // delivery when `on_delivery`, or stop. Returns false once stopping.
  bool WaitUntil(std::optional<int64_t> deadline_ms, bool on_delivery);

  storage::LogStore& store_;
  TopicTable& topics_;
  const BrokerOptions& options_;
  const SchemaRegistry* schemas_;
  PartitionStats& partitions_;
  const Clock clock_;
  std::thread thread_;

  Counter* delivered_;
  Counter* delivered_late_;
  Histogram* lateness_;
  Counter* dropped_topic_;
  Counter* dropped_rejected_;
  Counter* errors_;

  Mutex mu_;
  CondVar changed_;
  bool stop_ CHOREO_GUARDED_BY(mu_) = false;
  // The earliest due time announced by Notify() since the thread last looked.
  std::optional<int64_t> notified_due_ CHOREO_GUARDED_BY(mu_);
  size_t in_flight_ CHOREO_GUARDED_BY(mu_) = 0;
  // Deliveries finished since the thread last looked.
  uint64_t finished_ CHOREO_GUARDED_BY(mu_) = 0;
  // Set by a failed write; the thread backs off before taking more.
  bool write_failed_ CHOREO_GUARDED_BY(mu_) = false;
};

}  // namespace choreo::broker
