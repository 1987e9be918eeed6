#include "client/saga/topic_ensurer.h"

namespace choreo::saga::internal {

Result<Admin*> TopicEnsurer::AdminLocked() {
  if (admin_ == nullptr) {
    Result<std::unique_ptr<Admin>> admin = Admin::Connect(client_);
    if (!admin.ok()) return admin.status();
    admin_ = std::move(admin).value();
  }
  return admin_.get();
}

template <typename T, typename Call>
Result<T> TopicEnsurer::WithAdmin(Call call) {
  MutexLock lock(&mu_);
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<Admin*> admin = AdminLocked();
    if (!admin.ok()) return admin.status();
    Result<T> result = call(**admin);
    if (result.ok()) return result;
    last = result.status();
    if (last.code() != ErrorCode::kConnectionFailed && last.code() != ErrorCode::kClosed) break;
    admin_.reset();
  }
  return last;
}

Result<TopicDescription> TopicEnsurer::Describe(std::string_view topic) {
  // ListTopics rather than DescribeTopic: on a broker that auto-creates topics, naming a missing
  // topic in a metadata request would create it.
  Result<std::vector<TopicDescription>> topics =
      WithAdmin<std::vector<TopicDescription>>([](Admin& admin) { return admin.ListTopics(); });
  if (!topics.ok()) return topics.status();
  for (TopicDescription& t : *topics) {
    if (t.name == topic) return std::move(t);
  }
  return Status(ErrorCode::kUnknownTopic, "topic '" + std::string(topic) + "' does not exist");
}

Result<int64_t> TopicEnsurer::EarliestOffset(const TopicPartition& partition) {
  return WithAdmin<int64_t>(
      [&](Admin& admin) { return admin.ListOffset(partition, OffsetSpec::kEarliest); });
}

Status TopicEnsurer::Ensure(std::string_view topic) {
  return Partitions(topic).status();
}

Result<uint32_t> TopicEnsurer::Partitions(std::string_view topic) {
  MutexLock lock(&mu_);
  if (auto it = known_.find(topic); it != known_.end()) return it->second;
  // A few rounds: the connection may have been lost since its last use, and a created topic is
  // described again (another process may have created it first, with another count).
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<Admin*> admin = AdminLocked();
    if (!admin.ok()) return admin.status();
    Result<TopicDescription> described = (*admin)->DescribeTopic(topic);
    if (described.ok()) {
      const uint32_t count = static_cast<uint32_t>(described->partitions.size());
      known_.emplace(std::string(topic), count);
      return count;
    }
    last = described.status();
    if (last.code() == ErrorCode::kUnknownTopic) {
      if (partitions_ == 0) {
        return Status(ErrorCode::kUnknownTopic,
                      "topic '" + std::string(topic) +
                          "' does not exist (create it, or enable topic creation)");
      }
      Status created = (*admin)->CreateTopic(topic, TopicSettings{.partitions = partitions_});
      if (!created.ok() && created.code() != ErrorCode::kTopicAlreadyExists) return created;
      continue;  // describe again: another process may have created it with another count
    }
    if (last.code() == ErrorCode::kConnectionFailed || last.code() == ErrorCode::kClosed) {
      admin_.reset();
      continue;
    }
    return last;
  }
  return last;
}

}  // namespace choreo::saga::internal
