#include "broker/topic/topic_table.h"

#include <algorithm>

namespace choreo::broker {

void TopicTable::Load() {
  MutexLock admin(&admin_mu_);
  std::vector<storage::TopicInfo> topics = store_.ListTopics();
  MutexLock lock(&mu_);
  topics_.clear();
  for (storage::TopicInfo& topic : topics) {
    std::string name = topic.name;
    topics_.insert_or_assign(std::move(name), std::move(topic));
  }
}

absl::StatusOr<storage::TopicInfo> TopicTable::Create(std::string_view name,
                                                      const storage::TopicConfig& config) {
  MutexLock admin(&admin_mu_);
  absl::StatusOr<storage::TopicInfo> created = store_.CreateTopic(name, config);
  if (created.ok()) {
    MutexLock lock(&mu_);
    topics_.insert_or_assign(created->name, *created);
  }
  return created;
}

absl::Status TopicTable::Delete(std::string_view name) {
  MutexLock admin(&admin_mu_);
  absl::Status deleted = store_.DeleteTopic(name);
  if (deleted.ok()) {
    MutexLock lock(&mu_);
    topics_.erase(absl::string_view(name.data(), name.size()));
  }
  return deleted;
}

absl::StatusOr<storage::TopicInfo> TopicTable::Alter(std::string_view name,
                                                     const storage::TopicConfigUpdate& update) {
  MutexLock admin(&admin_mu_);
  absl::StatusOr<storage::TopicInfo> altered = store_.AlterTopic(name, update);
  if (altered.ok()) {
    MutexLock lock(&mu_);
    topics_.insert_or_assign(altered->name, *altered);
  }
  return altered;
}

std::optional<storage::TopicInfo> TopicTable::Find(std::string_view name) const {
  MutexLock lock(&mu_);
  // absl::string_view is not std::string_view in this abseil build.
  auto it = topics_.find(absl::string_view(name.data(), name.size()));
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<storage::TopicInfo> TopicTable::List() const {
  std::vector<storage::TopicInfo> topics;
  {
    MutexLock lock(&mu_);
    topics.reserve(topics_.size());
    for (const auto& [name, topic] : topics_)
      topics.push_back(topic);
  }
  std::sort(topics.begin(), topics.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return topics;
}

}  // namespace choreo::broker
