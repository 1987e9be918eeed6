// LogStore::Impl, scheduled events (scheduled_events.h): the store's locking around them. See
// log_store_impl.h for the locking rules.
#include <absl/strings/str_cat.h>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"

namespace choreo::storage {
namespace {

absl::Status Closed() {
  return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
}

}  // namespace

absl::Status LogStore::Impl::LoadScheduled() {
  ReaderMutexLock lock(&db_mu_);
  return scheduled_->Load();
}

absl::StatusOr<ScheduleResult> LogStore::Impl::ScheduleEvent(ScheduledEvent event) {
  if (committer_->OnCommitterThread()) {
    return absl::FailedPreconditionError("ScheduleEvent would wait for its own thread");
  }
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return scheduled_->Schedule(std::move(event));
}

absl::StatusOr<CancelOutcome> LogStore::Impl::CancelScheduledEvent(std::string_view id,
                                                                   const CancelCheck& check) {
  if (committer_->OnCommitterThread()) {
    return absl::FailedPreconditionError("CancelScheduledEvent would wait for its own thread");
  }
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return scheduled_->Cancel(id, check);
}

absl::StatusOr<std::vector<DueEvent>> LogStore::Impl::TakeDueEvents(int64_t now_ms, size_t limit) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return scheduled_->Take(now_ms, limit);
}

void LogStore::Impl::DeliverDueEvent(DueEvent event, std::optional<BatchFields> fields,
                                     DeliveryCallback done) {
  // No db_mu_: like Append(), the committer refuses writes once stopping (kClosed), and it is
  // stopped before the database closes.
  scheduled_->Deliver(std::move(event), std::move(fields), std::move(done));
}

void LogStore::Impl::ReleaseDueEvent(std::string_view id) {
  scheduled_->Release(id);
}

absl::StatusOr<std::optional<int64_t>> LogStore::Impl::NextDueTime() const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return scheduled_->NextDueTime();
}

uint64_t LogStore::Impl::PendingScheduledEvents() const {
  return scheduled_->pending();
}

}  // namespace choreo::storage
