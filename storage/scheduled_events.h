// ScheduledEvents: events stored now and appended to their topic when due (LogStore::ScheduleEvent
// and friends; formats in scheduled_format.h).
//
// Nothing per pending event is kept in memory: the events live in the `scheduled` column family,
// sorted by due time, and the delivery loop reads the earliest ones with one bounded scan. What
// memory holds is the count, a lower bound below which no due entry remains (so scans start past
// the tombstones that delivered events leave at the head of the range, the classic RocksDB queue
// pitfall), and the ids that an operation is working on right now.
//
// Every change goes through the committer's queue (PendingSchedule), so it is durable under the
// fsync policy exactly like an append, and a delivery is the append of the event's batch and the
// deletion of its entries in one WriteBatch: after a crash either both happened or neither, so a
// due event is appended once.
//
// Operations on one id are serialized through `busy_`: an id is busy from the moment a schedule,
// cancel or delivery decided what to write until that write completed. A cancel that meets a
// delivery in progress waits for it (and then finds nothing to cancel); the delivery scan skips
// busy ids. That is what makes "cancel racing with delivery" have exactly one winner.
//
// Threading: all methods are thread-safe. Schedule() and Cancel() block until their write is done
// (call them off network threads); Take() reads RocksDB on the caller's thread.
#pragma once

#include <absl/container/flat_hash_set.h>
#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/committer.h"
#include "storage/scheduled_format.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"

namespace choreo::storage {

class ScheduledEvents {
 public:
  // All must outlive this object.
  ScheduledEvents(const StoreDb& db, const TopicRegistry& topics, Committer& committer)
      : db_(db), topics_(topics), committer_(committer) {}
  ScheduledEvents(const ScheduledEvents&) = delete;
  ScheduledEvents& operator=(const ScheduledEvents&) = delete;

  // Counts the pending events and finds the earliest due time (at Open(), before any use).
  absl::Status Load();

  absl::StatusOr<ScheduleResult> Schedule(ScheduledEvent event);
  absl::StatusOr<CancelOutcome> Cancel(std::string_view id,
                                       const LogStore::CancelCheck& check = nullptr);
  absl::StatusOr<std::vector<DueEvent>> Take(int64_t now_ms, size_t limit);
  void Deliver(DueEvent event, std::optional<BatchFields> fields, DeliveryCallback done);
  void Release(std::string_view id);
  absl::StatusOr<std::optional<int64_t>> NextDueTime() const;
  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }

  // How long an operation waits for another one on the same id (a delivery the broker has taken
  // but not finished, for one) before it gives up with Unavailable.
  static constexpr std::chrono::seconds kBusyWait{10};

 private:
  // Marks `id` busy, waiting (up to kBusyWait) while another operation holds it.
  absl::Status Acquire(const std::string& id);
  void Done(const std::string& id);
  // Runs `write` through the committer and waits for its outcome.
  absl::Status WriteAndWait(PendingSchedule write);
  // The id entry of `id` (pending or ended), or nullopt.
  absl::StatusOr<std::optional<IdValue>> Lookup(const std::string& id) const;

  const StoreDb& db_;
  const TopicRegistry& topics_;
  Committer& committer_;

  mutable Mutex mu_;
  CondVar released_;
  absl::flat_hash_set<std::string> busy_ CHOREO_GUARDED_BY(mu_);
  // No due entry is below this due time (scans start here). Lowered by every schedule, raised by
  // Take() to the due time of the first entry it found.
  // INT64_MAX: nothing is pending.
  int64_t scan_from_ms_ CHOREO_GUARDED_BY(mu_) = 0;
  // Counts each schedule twice, when it lowers scan_from_ms_ and when its write is done: Take()
  // raises scan_from_ms_ only if neither happened during its scan.
  uint64_t schedules_ CHOREO_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> pending_{0};
};

}  // namespace choreo::storage
