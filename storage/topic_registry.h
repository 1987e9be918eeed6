// TopicRegistry: the topics of a store, in memory and in the `meta` column family, plus the live
// offsets of every partition.
//
// Lifecycle: constructed on an open StoreDb, Load() once before use. Threading: all methods are
// thread-safe. Create() and Delete() write to RocksDB with sync and are serialized with each other;
// Find() and List() only take a short in-memory lock, so appends never wait for a metadata fsync.
// Delete() must run while no group commit is in progress (Committer::RunExclusive).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include "choreo/common/mutex.h"

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/store_db.h"

namespace choreo::storage {

struct PartitionState {
  // The offset the next visible record gets; readers never see data at or above it.
  std::atomic<Offset> high_watermark{0};
  std::atomic<Offset> log_start{0};
  // The offset the next appended record gets. Written at Load() and then only by the committer
  // thread (which runs after Load(), so no lock is needed).
  Offset next_offset = 0;
};

struct TopicState {
  explicit TopicState(TopicInfo topic_info)
      : info(std::move(topic_info)), partitions(info.config.partitions) {}

  const TopicInfo info;
  // Sized once; never resized (the elements hold atomics and are referenced by pointer).
  std::vector<PartitionState> partitions;
  // Set once the topic's deletion is durable; queued appends to it then fail with kUnknownTopic.
  std::atomic<bool> deleted{false};
};

// InvalidArgument (kInvalidTopic) unless partitions is 1..kMaxPartitions, retention values are
// >= -1.
absl::Status ValidateTopicConfig(const TopicConfig& config);

class TopicRegistry {
 public:
  // `db` must outlive the registry.
  explicit TopicRegistry(StoreDb& db) : db_(db) {}

  // Reads every topic and log start offset from `meta` and recovers each partition's next offset
  // from its last batch. DataLoss if metadata or a last batch header cannot be decoded.
  absl::Status Load();

  absl::StatusOr<TopicInfo> Create(std::string_view name, const TopicConfig& config);
  // NotFound (kUnknownTopic) if there is no such topic.
  absl::Status Delete(std::string_view name);

  // nullptr if unknown. The state stays valid after a concurrent Delete() (marked deleted).
  std::shared_ptr<TopicState> Find(std::string_view name) const;
  std::vector<TopicInfo> List() const;

 private:
  absl::Status LoadTopics();
  absl::Status LoadLogStarts(TopicState& topic);
  absl::Status RecoverOffsets(TopicState& topic);

  StoreDb& db_;
  // Serializes Create() and Delete(); held across their RocksDB writes.
  Mutex admin_mu_ CHOREO_ACQUIRED_BEFORE(mu_);
  TopicId next_id_ CHOREO_GUARDED_BY(admin_mu_) = 1;
  mutable SharedMutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<TopicState>> topics_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::storage
