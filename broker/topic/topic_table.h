// TopicTable: the broker's in-memory view of the topics in the store, so the request path (produce
// checks, fetch waiter keys) never does storage I/O to look a topic up.
//
// The broker is the only writer of topics, and every create/alter/delete goes through this class,
// which updates the store and the cache under one lock so they change in the same order.
//
// Threading: thread-safe. Find()/List() never block on I/O; Load(), Create(), Alter() and Delete()
// call the store and must run on the blocking-work pool, not on a network thread.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class TopicTable {
 public:
  // `store` is borrowed and must outlive the table.
  explicit TopicTable(storage::LogStore& store) : store_(store) {}

  // Replaces the cache with the store's topics. Blocking.
  void Load();
  // Creates the topic in the store, then caches it. Blocking. Errors: the store's.
  absl::StatusOr<storage::TopicInfo> Create(std::string_view name,
                                            const storage::TopicConfig& config);
  // Deletes the topic from the store, then from the cache. Blocking. Errors: the store's.
  absl::Status Delete(std::string_view name);
  // Changes the topic's configuration in the store (durably), then in the cache. Blocking.
  // Errors: the store's (unknown topic; fewer partitions than now or a bad value: invalid topic).
  absl::StatusOr<storage::TopicInfo> Alter(std::string_view name,
                                           const storage::TopicConfigUpdate& update);

  std::optional<storage::TopicInfo> Find(std::string_view name) const;
  // All topics, sorted by name.
  std::vector<storage::TopicInfo> List() const;

 private:
  storage::LogStore& store_;
  // Serializes Create/Delete so the store and the cache see admin operations in the same order.
  Mutex admin_mu_ CHOREO_ACQUIRED_BEFORE(mu_);
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, storage::TopicInfo> topics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
