#include "broker/group/subscription.h"

#include "broker/group/group_errors.h"

namespace choreo::broker {

absl::StatusOr<Subscription> Subscription::Make(std::vector<std::string> topics,
                                                std::string pattern) {
  Subscription out;
  out.topics_.insert(std::make_move_iterator(topics.begin()),
                     std::make_move_iterator(topics.end()));
  out.topics_.erase("");
  if (!pattern.empty()) {
    // std::regex reports a bad pattern by throwing; requests never let exceptions escape.
    try {
      out.regex_ = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return MakeGroupError(GroupErrorKind::kInvalidRequest,
                            "invalid subscription pattern '" + pattern + "': " + e.what());
    }
    out.pattern_ = std::move(pattern);
  }
  return out;
}

bool Subscription::Matches(const std::string& name) const {
  if (topics_.count(name) > 0) return true;
  return regex_ != nullptr && std::regex_match(name, *regex_);
}

void Subscription::Resolve(const TopicSource& source,
                           const std::vector<storage::TopicInfo>* all_topics,
                           GroupTopicMetadata* out) const {
  auto add = [out](const storage::TopicInfo& topic) {
    (*out)[topic.name] = TopicMetadataEntry{topic.id, topic.config.partitions};
  };
  for (const std::string& name : topics_) {
    if (out->count(name) > 0) continue;
    if (std::optional<storage::TopicInfo> topic = source.Find(name)) add(*topic);
  }
  if (regex_ == nullptr || all_topics == nullptr) return;
  for (const storage::TopicInfo& topic : *all_topics) {
    if (std::regex_match(topic.name, *regex_)) add(topic);
  }
}

}  // namespace choreo::broker
