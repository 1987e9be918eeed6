// LogStore::Impl: producer-id expiry. The registry decides which producers expired (and forgets
// them first, so none of them can append any more); then, between two group commits, their
// sequence state is dropped from every partition and deleted from the `producers` column family.
// See log_store_impl.h for the locks.
#include <absl/container/flat_hash_set.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <limits>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"
#include "storage/meta_format.h"
#include "storage/producer_format.h"

namespace choreo::storage {

namespace {

// Expiring this many producers at once (a fleet of short-lived producers going quiet) leaves as
// many tombstones in `producers` and in the meta column family, which every later open walks past
// (measured: 1M expired states made the next open take 4.3 s). Compacting both ranges right away
// drops them; below this, RocksDB's own compactions get to them soon enough.
constexpr size_t kCompactAfterExpired = 10'000;

}  // namespace

absl::StatusOr<size_t> LogStore::Impl::ExpireProducers(int64_t now_ms) {
  size_t count = 0;
  {
    ReaderMutexLock change(&topic_change_mu_);  // no topic deletion deletes the same keys meanwhile
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
    // Saturating: a huge expiration never overflows into the future.
    const int64_t cutoff =
        now_ms > std::numeric_limits<int64_t>::min() + options_.producer_id_expiration_ms
            ? now_ms - options_.producer_id_expiration_ms
            : std::numeric_limits<int64_t>::min();
    ExpiredProducers expired = producers_->Expire(cutoff);
    if (expired.ids.empty()) return size_t{0};
    absl::flat_hash_set<int64_t> ids(expired.ids.begin(), expired.ids.end());
    absl::Status dropped =
        DropProducerStates([&ids](int64_t producer_id, const ProducerPartitionState&) {
          return ids.contains(producer_id);
        });
    if (!expired.status.ok()) return expired.status;
    if (!dropped.ok()) return dropped;
    count = expired.ids.size();
  }
  if (count >= kCompactAfterExpired) {
    // Without the topic-change lock: a compaction never changes what a key means, and topic
    // deletions need not wait for it.
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return count;
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    const std::string begin = ProducerEpochMetaRangeBegin();
    const std::string end = ProducerEpochMetaRangeEnd();
    const rocksdb::Slice begin_slice(begin);
    const rocksdb::Slice end_slice(end);
    // A failure (a full disk, say) costs only space and open time, the expiry itself is done:
    // the tombstones are then left to RocksDB's own compactions.
    db_->db->CompactRange(options, db_->producers, nullptr, nullptr).PermitUncheckedError();
    db_->db->CompactRange(options, db_->meta, &begin_slice, &end_slice).PermitUncheckedError();
  }
  return count;
}

absl::Status LogStore::Impl::ReconcileProducers(int64_t now_ms) {
  // Each partition state's last append counts as activity of its producer (the registry only
  // stores allocation and bump times); a state whose producer is gone (its deletion was written
  // but the states' was not) is dropped.
  absl::Status dropped =
      DropProducerStates([this](int64_t producer_id, const ProducerPartitionState& state) {
        return !producers_->NoteActivity(producer_id, state.last_append_ms);
      });
  if (!dropped.ok()) return dropped;
  return ExpireProducers(now_ms).status();
}

absl::Status LogStore::Impl::DropProducerStates(
    absl::FunctionRef<bool(int64_t, const ProducerPartitionState&)> drop) {
  return committer_->RunExclusive([&] {
    rocksdb::WriteBatch batch;
    for (const std::shared_ptr<TopicState>& topic : registry_->States()) {
      for (size_t p = 0; p < topic->partitions.size(); ++p) {
        auto& states = topic->partitions[p].producers;
        for (auto it = states.begin(); it != states.end();) {
          if (!drop(it->first, it->second)) {
            ++it;
            continue;
          }
          rocksdb::Status s = batch.Delete(
              db_->producers, EncodeProducerStateKey({.topic_id = topic->info.id,
                                                      .partition = static_cast<PartitionId>(p),
                                                      .producer_id = it->first}));
          if (!s.ok()) return FromRocksStatus(s, "stage expired producer state");
          states.erase(it++);
        }
      }
    }
    if (batch.Count() == 0) return absl::OkStatus();
    // Not synced: a lost delete is found again (its producer is unknown) at the next start.
    rocksdb::Status s = db_->db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocksStatus(s, "delete expired producer state");
    return absl::OkStatus();
  });
}

}  // namespace choreo::storage
