#include "broker/metrics/group_collector.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace choreo::broker {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct PartitionRow {
  Labels labels;
  int64_t committed = 0;
  int64_t lag = 0;
};

void Collect(SampleWriter& writer, GroupCoordinator& groups, const storage::LogStore& store) {
  std::map<std::string, uint32_t> members;  // every group worth reporting, by id
  for (const GroupSummary& group : groups.List(absl::Now()))
    members[group.group_id] = group.members;
  absl::StatusOr<std::vector<std::string>> with_offsets = store.ListGroupsWithOffsets();
  if (with_offsets.ok()) {
    for (const std::string& group : *with_offsets)
      members.try_emplace(group, 0);
  }
  std::vector<PartitionRow> rows;
  for (const auto& [group, count] : members) {
    absl::StatusOr<std::vector<storage::GroupOffset>> offsets = store.FetchGroupOffsets(group);
    if (!offsets.ok()) continue;
    for (const storage::GroupOffset& committed : *offsets) {
      absl::StatusOr<storage::PartitionOffsets> log =
          store.GetOffsets(committed.topic, committed.partition);
      if (!log.ok()) continue;  // the topic went away since
      rows.push_back(PartitionRow{{{"group", group},
                                   {"topic", committed.topic},
                                   {"partition", std::to_string(committed.partition)}},
                                  committed.offset,
                                  std::max<int64_t>(0, log->high_watermark - committed.offset)});
    }
  }
  writer.Family("choreo_group_members", "gauge",
                "Live members of the consumer group (0: only committed offsets remain).");
  for (const auto& [group, count] : members)
    writer.Sample("choreo_group_members", {{"group", group}}, count);
  writer.Family("choreo_group_committed_offset", "gauge",
                "The group's committed offset in the partition (the next offset it will read).");
  for (const PartitionRow& row : rows)
    writer.Sample("choreo_group_committed_offset", row.labels, static_cast<double>(row.committed));
  writer.Family("choreo_group_lag", "gauge",
                "Records the group has not consumed yet: log end offset minus committed offset.");
  for (const PartitionRow& row : rows)
    writer.Sample("choreo_group_lag", row.labels, static_cast<double>(row.lag));
}

}  // namespace

void RegisterGroupCollector(MetricsRegistry& registry, GroupCoordinator& groups,
                            const storage::LogStore& store) {
  registry.AddCollector(
      [&groups, &store](SampleWriter& writer) { Collect(writer, groups, store); });
}

}  // namespace choreo::broker
