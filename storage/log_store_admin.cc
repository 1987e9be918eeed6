// LogStore::Impl, second half: idempotent producers and consumer-group offsets. Each call holds
// db_mu_ shared (the database stays open) and delegates. See log_store_impl.h for the locks.
#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"
#include "storage/wall_clock.h"

namespace choreo::storage {
namespace {

absl::Status ClosedError() {
  return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
}

}  // namespace

absl::StatusOr<ProducerIdentity> LogStore::Impl::InitProducer(int64_t producer_id, int32_t epoch,
                                                              bool bump_epoch) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return producers_->Init(producer_id, epoch, bump_epoch, WallClockMs(options_));
}

absl::Status LogStore::Impl::CommitGroupOffsets(std::string_view group,
                                                const std::vector<GroupOffset>& offsets) {
  // Shared: commits run concurrently with each other, but never across a topic deletion.
  ReaderMutexLock change(&topic_change_mu_);
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return group_offsets_->Commit(group, offsets);
}

absl::StatusOr<std::vector<GroupOffset>> LogStore::Impl::FetchGroupOffsets(
    std::string_view group) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return group_offsets_->FetchAll(group);
}

absl::StatusOr<std::vector<GroupOffset>> LogStore::Impl::FetchGroupOffsets(
    std::string_view group, const std::vector<TopicPartition>& partitions) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return group_offsets_->Fetch(group, partitions);
}

absl::Status LogStore::Impl::DeleteGroupOffsets(std::string_view group) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return group_offsets_->DeleteGroup(group);
}

absl::StatusOr<std::vector<std::string>> LogStore::Impl::ListGroupsWithOffsets() const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return group_offsets_->ListGroups();
}

}  // namespace choreo::storage
