#include "broker/topic/topic_table.h"

namespace choreo::broker {

absl::StatusOr<storage::TopicInfo> TopicTable::Create(std::string_view name,
                                                      const storage::TopicConfig& config) {
  absl::StatusOr<storage::TopicInfo> created = store_.CreateTopic(name, config);
  if (created.ok()) generation_.fetch_add(1, std::memory_order_release);
  return created;
}

absl::Status TopicTable::Delete(std::string_view name) {
  absl::Status deleted = store_.DeleteTopic(name);
  if (deleted.ok()) generation_.fetch_add(1, std::memory_order_release);
  return deleted;
}

absl::StatusOr<storage::TopicInfo> TopicTable::Alter(std::string_view name,
                                                     const storage::TopicConfigUpdate& update) {
  absl::StatusOr<storage::TopicInfo> altered = store_.AlterTopic(name, update);
  if (altered.ok()) generation_.fetch_add(1, std::memory_order_release);
  return altered;
}

std::optional<storage::TopicInfo> TopicTable::Find(std::string_view name) const {
  absl::StatusOr<storage::TopicInfo> topic = store_.GetTopic(name);
  if (!topic.ok()) return std::nullopt;
  return *std::move(topic);
}

std::vector<storage::TopicInfo> TopicTable::List() const {
  return store_.ListTopics();
}

}  // namespace choreo::broker
