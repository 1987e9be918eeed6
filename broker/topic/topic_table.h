// TopicTable: the broker's access to topics. The topics themselves have one definition, the
// store's in-memory topic registry (LogStore::GetTopic/ListTopics read memory only, so the request
// path never does storage I/O to look a topic up); this class keeps no copy of them, only what the
// broker adds: a generation that moves with every change, so caches of anything derived from the
// topics (a group's pattern matches) know when to refresh.
//
// Every create/alter/delete of the broker goes through this class, so the generation moves after
// each of them.
//
// Threading: thread-safe. Find(), List() and generation() never block on I/O; Create(), Alter()
// and Delete() call the store and must run on the blocking-work pool, not on a network thread.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "choreo/storage/log_store.h"

namespace choreo::broker {

class TopicTable {
 public:
  // `store` is borrowed and must outlive the table.
  explicit TopicTable(storage::LogStore& store) : store_(store) {}

  // Creates the topic in the store. Blocking. Errors: the store's.
  absl::StatusOr<storage::TopicInfo> Create(std::string_view name,
                                            const storage::TopicConfig& config);
  // Deletes the topic and its data from the store. Blocking. Errors: the store's.
  absl::Status Delete(std::string_view name);
  // Changes the topic's configuration in the store, durably. Blocking. Errors: the store's
  // (unknown topic; fewer partitions than now or a bad value: invalid topic).
  absl::StatusOr<storage::TopicInfo> Alter(std::string_view name,
                                           const storage::TopicConfigUpdate& update);

  std::optional<storage::TopicInfo> Find(std::string_view name) const;
  // All topics, sorted by name.
  std::vector<storage::TopicInfo> List() const;
  // Moves after every change made through this table, once the change is visible to Find() and
  // List(): anything derived from the topics is current while this has not moved.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  storage::LogStore& store_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace choreo::broker
