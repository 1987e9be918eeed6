// Subscription: the topics a member asked for, by name and/or by regular expression, and their
// resolution against the topics that exist.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "broker/group/topic_source.h"

namespace choreo::broker {

// Which topics exist among those a group subscribes to: name -> (topic id, partition count).
// A change (topic created or deleted, partitions added, topic recreated under the same name) is
// a metadata change that makes the group recompute its assignment.
struct TopicMetadataEntry {
  storage::TopicId id{};
  uint32_t partitions = 0;
  friend bool operator==(const TopicMetadataEntry&, const TopicMetadataEntry&) = default;
};
using GroupTopicMetadata = std::map<std::string, TopicMetadataEntry>;

class Subscription {
 public:
  Subscription() = default;
  // `pattern` is an ECMAScript regular expression that must match a whole topic name; empty
  // means none. Errors: kInvalidRequest for a pattern that does not compile.
  static absl::StatusOr<Subscription> Make(std::vector<std::string> topics, std::string pattern);

  bool empty() const { return topics_.empty() && pattern_.empty(); }
  const std::set<std::string>& topics() const { return topics_; }
  const std::string& pattern() const { return pattern_; }

  // True if `name` is subscribed to, by name or by pattern.
  bool Matches(const std::string& name) const;
  // Adds the existing topics this subscription selects to `out`: names are looked up in `source`,
  // the pattern is matched against `all_topics` (every topic; may be null without a pattern).
  void Resolve(const TopicSource& source, const std::vector<storage::TopicInfo>* all_topics,
               GroupTopicMetadata* out) const;

  friend bool operator==(const Subscription& a, const Subscription& b) {
    return a.topics_ == b.topics_ && a.pattern_ == b.pattern_;
  }

 private:
  std::set<std::string> topics_;
  std::string pattern_;
  std::shared_ptr<const std::regex> regex_;  // shared: compiled once, copies are cheap
};

}  // namespace choreo::broker
