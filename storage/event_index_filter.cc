#include "storage/event_index_filter.h"

#include <absl/container/flat_hash_map.h>

#include <vector>

#include "storage/event_index_format.h"

namespace choreo::storage {
namespace {

// The log starts of every live topic as of the compaction's start. Ids are never reused and only
// grow, so an id below `next_id` that is not live belongs to a deleted topic; an id at or above
// it to a topic created since, whose entries are kept.
class TrimFilter : public rocksdb::CompactionFilter {
 public:
  TrimFilter(absl::flat_hash_map<TopicId, std::vector<Offset>> log_starts, TopicId next_id)
      : log_starts_(std::move(log_starts)), next_id_(next_id) {}

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    std::optional<EntryPosition> at = DecodeAnyEntryPosition(key.ToStringView());
    if (!at) return false;  // open sagas and anything this version does not know
    if (at->topic_id >= next_id_) return false;
    auto it = log_starts_.find(at->topic_id);
    if (it == log_starts_.end()) return true;  // deleted topic
    const std::vector<Offset>& starts = it->second;
    return at->partition < starts.size() && at->offset < starts[at->partition];
  }

  const char* Name() const override { return "choreo.EventIndexTrimFilter"; }

 private:
  absl::flat_hash_map<TopicId, std::vector<Offset>> log_starts_;
  TopicId next_id_;
};

// Keeps everything (no registry attached).
class KeepAll : public rocksdb::CompactionFilter {
 public:
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice&, std::string*,
              bool*) const override {
    return false;
  }
  const char* Name() const override { return "choreo.EventIndexKeepAll"; }
};

}  // namespace

void EventIndexTrimFilterFactory::Attach(const TopicRegistry* registry) {
  MutexLock lock(&mu_);
  registry_ = registry;
}

std::unique_ptr<rocksdb::CompactionFilter> EventIndexTrimFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  MutexLock lock(&mu_);
  if (registry_ == nullptr) return std::make_unique<KeepAll>();
  // Read the next id first: a topic created after it has entries that must be kept, and its id
  // is >= this value.
  const TopicId next_id = registry_->NextId();
  absl::flat_hash_map<TopicId, std::vector<Offset>> log_starts;
  for (const std::shared_ptr<TopicState>& topic : registry_->States()) {
    if (topic->deleted.load()) continue;
    std::vector<Offset>& starts = log_starts[topic->info.id];
    starts.reserve(topic->partitions.size());
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      starts.push_back(topic->partitions[p].log_start.load(std::memory_order_acquire));
    }
  }
  return std::make_unique<TrimFilter>(std::move(log_starts), next_id);
}

}  // namespace choreo::storage
