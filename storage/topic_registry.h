// TopicRegistry: the topics of a store, in memory and in the `meta` column family, plus the live
// offsets of every partition.
//
// Lifecycle: constructed on an open StoreDb, Load() once before use. Threading: all methods are
// thread-safe. Create(), Alter() and Delete() write to RocksDB with sync and are serialized with
// each other; Find() and List() only take a short in-memory lock, so appends never wait for a
// metadata fsync. Delete() must run while no group commit is in progress (Committer::RunExclusive).
// The in-memory state types are in topic_state.h; loading is in topic_recovery.cc.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/functional/function_ref.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include "choreo/common/mutex.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/store_db.h"
#include "storage/topic_state.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace choreo::storage {

// InvalidArgument (kInvalidTopic) unless partitions is 1..kMaxPartitions, retention values are
// >= -1.
absl::Status ValidateTopicConfig(const TopicConfig& config);

// A partition's byte positions as stored in `meta` (see meta_format.h), while loading.
struct StoredPositions {
  std::optional<int64_t> start_bytes = std::nullopt;  // of the log start; nullopt: not stored
  std::optional<int64_t> end_bytes = std::nullopt;    // of the end ('B'); nullopt: no key
};

class TopicRegistry {
 public:
  // `db` must outlive the registry.
  explicit TopicRegistry(StoreDb& db) : db_(db) {}

  // Reads every topic, log start and end byte position from `meta`, recovers each partition's
  // next offset from its last batch, its size where the byte positions allow, and loads its
  // idempotent-producer state from `producers`. DataLoss if metadata, producer state or a last
  // batch header cannot be decoded. (topic_recovery.cc)
  absl::Status Load();

  absl::StatusOr<TopicInfo> Create(std::string_view name, const TopicConfig& config);
  // Deletes the topic, its records, log starts, end byte positions and producer state in one synced
  // WriteBatch, to which `stage_more` may add (e.g. the topic's committed offsets). NotFound
  // (kUnknownTopic) if there is no such topic.
  using StageFn = absl::FunctionRef<absl::Status(const TopicInfo&, rocksdb::WriteBatch&)>;
  absl::Status Delete(std::string_view name, StageFn stage_more);

  // Persists the new configuration and replaces the topic's state with a new version that
  // shares its partitions (see TopicState). Errors as LogStore::AlterTopic.
  absl::StatusOr<TopicInfo> Alter(std::string_view name, const TopicConfigUpdate& update);

  // nullptr if unknown. The state stays valid after a concurrent Delete() (marked deleted) or
  // Alter() (an older version: same partitions, old configuration).
  std::shared_ptr<TopicState> Find(std::string_view name) const;
  std::vector<TopicInfo> List() const;
  // The current state of every topic.
  std::vector<std::shared_ptr<TopicState>> States() const;
  // The id the next created topic will get: every topic id ever used is below it.
  TopicId NextId() const { return next_id_published_.load(std::memory_order_acquire); }

 private:
  absl::Status LoadTopics();
  absl::Status LoadLogStarts(TopicState& topic, std::vector<StoredPositions>& positions);
  absl::Status LoadEndBytes(const TopicState& topic, std::vector<StoredPositions>& positions);
  absl::Status RecoverOffsets(TopicState& topic, const std::vector<StoredPositions>& positions,
                              rocksdb::WriteBatch& upgrades);
  absl::Status LoadProducerStates(TopicState& topic);

  StoreDb& db_;
  // Serializes Create() and Delete(); held across their RocksDB writes.
  Mutex admin_mu_ CHOREO_ACQUIRED_BEFORE(mu_);
  TopicId next_id_ CHOREO_GUARDED_BY(admin_mu_){1};
  // next_id_ for readers that must not wait for a topic creation's sync write (compactions).
  // Raised before the new topic is visible in topics_.
  std::atomic<TopicId> next_id_published_{TopicId{1}};
  mutable SharedMutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<TopicState>> topics_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::storage
