// GroupOffsetStore: committed consumer-group offsets in the `offsets` column family
// (offsets_format.h). Commits are rare next to produces, so they are written directly (one
// WriteBatch per commit, synced unless the fsync policy is kNever) rather than through the
// committer's queue: they have no ordering relation with appends, and a commit should not wait
// behind a large group of batches.
//
// Threading: all methods are thread-safe (RocksDB serializes the writes). A commit resolves topic
// names to ids and then writes; the caller must keep a topic deletion (StageTopicDeletion() plus
// its write) from running between the two, or a commit could leave an entry for a dead topic id
// (harmless, as fetches skip unknown ids, but garbage). LogStore does it with a shared mutex.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/offsets_format.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace choreo::storage {

// One validated entry of a commit, its topic resolved (GroupOffsetStore::Commit and
// LogStore::AppendStep).
struct ResolvedGroupOffset {
  std::shared_ptr<TopicState> topic;
  PartitionId partition = 0;
  GroupOffsetValue value;
};

// Validates a commit of `offsets` for `group` as LogStore::CommitGroupOffsets documents (group
// id, topic, partition, offset >= 0, metadata size) and resolves each entry's topic; a commit
// time of 0 becomes `now_ms`. Does no I/O.
absl::StatusOr<std::vector<ResolvedGroupOffset>> ResolveGroupOffsets(
    const TopicRegistry& topics, std::string_view group, const std::vector<GroupOffset>& offsets,
    int64_t now_ms);
// Adds a Put of every entry to `batch` (column family `offsets`). The caller makes sure no entry's
// topic is deleted before the batch is written (see the class comment below).
absl::Status StageGroupOffsets(const StoreDb& db, std::string_view group,
                               const std::vector<ResolvedGroupOffset>& offsets,
                               rocksdb::WriteBatch& batch);

class GroupOffsetStore {
 public:
  // `db` and `topics` must outlive the store.
  GroupOffsetStore(StoreDb& db, const TopicRegistry& topics, FsyncPolicy fsync)
      : db_(db), topics_(topics), fsync_(fsync) {}

  // The LogStore methods of the same names document the contracts.
  absl::Status Commit(std::string_view group, const std::vector<GroupOffset>& offsets);
  absl::StatusOr<std::vector<GroupOffset>> FetchAll(std::string_view group) const;
  absl::StatusOr<std::vector<GroupOffset>> Fetch(
      std::string_view group, const std::vector<TopicPartition>& partitions) const;
  absl::Status DeleteGroup(std::string_view group);
  absl::StatusOr<std::vector<std::string>> ListGroups() const;

  // Adds to `batch` a delete of every committed offset of `topic_id`. Scans the whole column
  // family: it holds one small entry per (group, partition), and topic deletion is rare.
  absl::Status StageTopicDeletion(TopicId topic_id, rocksdb::WriteBatch& batch) const;

 private:
  StoreDb& db_;
  const TopicRegistry& topics_;
  const FsyncPolicy fsync_;
};

}  // namespace choreo::storage
