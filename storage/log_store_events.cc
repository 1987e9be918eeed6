// LogStore::Impl, the event index: queries, saga definitions and compaction (event_index.h). See
// log_store_impl.h for the locking rules.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"

namespace choreo::storage {
namespace {

absl::Status Closed() {
  return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
}

}  // namespace

absl::StatusOr<EventPage> LogStore::Impl::FindEvents(const EventQuery& query) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return index_->Find(query);
}

absl::Status LogStore::Impl::DefineSaga(const SagaDefinition& definition) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  // Exclusive with group commits: no group is staged with a definition half replaced.
  return committer_->RunExclusive([&] { return index_->Define(definition); });
}

absl::Status LogStore::Impl::RemoveSagaDefinition(std::string_view name) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  // Exclusive with group commits: none may open a saga of the definition after its open sagas
  // were deleted.
  return committer_->RunExclusive([&] { return index_->Remove(name); });
}

std::vector<SagaDefinition> LogStore::Impl::ListSagaDefinitions() const {
  return index_->Definitions();
}

absl::StatusOr<std::vector<OpenSaga>> LogStore::Impl::ListStuckSagas(std::string_view definition,
                                                                     int64_t now_ms,
                                                                     size_t limit) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return index_->ListStuck(definition, now_ms, limit);
}

absl::StatusOr<std::vector<OpenSagaCount>> LogStore::Impl::CountOpenSagas(int64_t now_ms) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  return index_->CountOpen(now_ms);
}

absl::Status LogStore::Impl::CompactEventIndex() {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return Closed();
  rocksdb::CompactRangeOptions options;
  // Rewrite the bottommost files too: that is where old entries of trimmed records live.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  rocksdb::Status s = db_->db->CompactRange(options, db_->events, nullptr, nullptr);
  if (!s.ok()) return FromRocksStatus(s, "compact the event index");
  return absl::OkStatus();
}

}  // namespace choreo::storage
