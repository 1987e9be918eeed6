// TopicSource: what the group coordinator needs to know about topics (their partition counts),
// as an interface so the coordinator is tested without a store.
//
// Threading: implementations must be thread-safe and must not block on I/O: the coordinator calls
// them on network threads, under its lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "broker/topic/topic_table.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class TopicSource {
 public:
  virtual ~TopicSource() = default;
  virtual std::optional<storage::TopicInfo> Find(std::string_view name) const = 0;
  // Every topic (for pattern subscriptions).
  virtual std::vector<storage::TopicInfo> List() const = 0;
  // Moves whenever a topic is created, deleted or altered. Groups resolve their subscriptions
  // again only when it moved, instead of matching every topic on every heartbeat.
  virtual uint64_t generation() const = 0;
};

// The broker's TopicSource: its in-memory topic table. `table` is borrowed and must outlive this.
class TopicTableSource final : public TopicSource {
 public:
  explicit TopicTableSource(const TopicTable& table) : table_(table) {}
  std::optional<storage::TopicInfo> Find(std::string_view name) const override {
    return table_.Find(name);
  }
  std::vector<storage::TopicInfo> List() const override { return table_.List(); }
  uint64_t generation() const override { return table_.generation(); }

 private:
  const TopicTable& table_;
};

}  // namespace choreo::broker
