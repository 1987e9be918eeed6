// /api/groups, /api/groups/{id} and POST /api/groups/{id}/reset-offsets: members, assignments,
// committed offsets and lag (the same figures as DescribeGroups), and the offset reset of
// `choreo group reset-offsets` (group must have no members).

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "broker/http/console_util.h"

namespace choreo::broker::console {
namespace {

constexpr size_t kMaxGroupsListed = 1000;

// Committed offsets merged with the partitions members are assigned, with log ends and lag.
struct PartitionRow {
  int64_t committed = -1;
  int64_t log_end = -1;
  int64_t lag = -1;
  std::string owner;
  std::string metadata;
};

absl::StatusOr<std::map<GroupPartition, PartitionRow>> Rows(
    ConsoleServices& services, std::string_view group, const std::optional<GroupSnapshot>& live) {
  absl::StatusOr<std::vector<storage::GroupOffset>> committed =
      services.store.FetchGroupOffsets(group);
  if (!committed.ok()) return committed.status();
  std::map<GroupPartition, PartitionRow> rows;
  for (const storage::GroupOffset& o : *committed) {
    PartitionRow& row = rows[GroupPartition{o.topic, o.partition}];
    row.committed = o.offset;
    row.metadata = o.metadata;
  }
  if (live) {
    for (const MemberSnapshot& m : live->members) {
      for (const GroupPartition& p : m.target)
        rows[p];
      for (const GroupPartition& p : m.assignment)
        rows[p].owner = m.member_id;
    }
  }
  for (auto it = rows.begin(); it != rows.end();) {
    absl::StatusOr<storage::PartitionOffsets> log =
        services.store.GetOffsets(it->first.topic, it->first.partition);
    if (!log.ok()) {  // the topic was deleted meanwhile
      it = rows.erase(it);
      continue;
    }
    it->second.log_end = log->high_watermark;
    if (it->second.committed >= 0)
      it->second.lag = std::max<int64_t>(0, log->high_watermark - it->second.committed);
    ++it;
  }
  return rows;
}

void WritePartitions(JsonWriter& json, const PartitionSet& partitions) {
  json.BeginArray();
  for (const GroupPartition& p : partitions)
    json.BeginObject().Field("topic", p.topic).Field("partition", p.partition).EndObject();
  json.EndArray();
}

// The offsets a reset moves `partitions` to. Errors (400) as text in `*error`.
std::optional<std::vector<storage::GroupOffset>> ResetTargets(
    ConsoleServices& services, const storage::TopicInfo& topic,
    const std::vector<storage::PartitionId>& partitions, std::string_view to, int64_t value,
    std::string* error) {
  std::vector<storage::GroupOffset> offsets;
  for (storage::PartitionId p : partitions) {
    absl::StatusOr<storage::PartitionOffsets> log = services.store.GetOffsets(topic.name, p);
    if (!log.ok()) {
      *error = std::string(log.status().message());
      return std::nullopt;
    }
    int64_t target = 0;
    if (to == "earliest") {
      target = log->log_start_offset;
    } else if (to == "latest") {
      target = log->high_watermark;
    } else if (to == "offset") {
      target = std::clamp(value, log->log_start_offset, log->high_watermark);
    } else if (to == "timestamp") {
      absl::StatusOr<storage::Offset> at = services.store.OffsetForTimestamp(topic.name, p, value);
      if (!at.ok()) {
        *error = std::string(at.status().message());
        return std::nullopt;
      }
      target = *at < 0 ? log->high_watermark : *at;
    } else {
      *error = "parameter 'to' must be earliest, latest, offset or timestamp";
      return std::nullopt;
    }
    offsets.push_back(storage::GroupOffset{.topic = topic.name, .partition = p, .offset = target});
  }
  return offsets;
}

}  // namespace

HttpResponse Groups(ConsoleServices& services, const HttpRequest& /*request*/) {
  const absl::Time now = absl::Now();
  std::map<std::string, GroupSummary> groups;
  for (GroupSummary& g : services.groups.List(now))
    groups[g.group_id] = std::move(g);
  absl::StatusOr<std::vector<std::string>> committed = services.store.ListGroupsWithOffsets();
  if (!committed.ok()) return Error(committed.status());
  for (const std::string& id : *committed)
    groups.try_emplace(id, GroupSummary{id, kStateEmpty, 0});
  JsonWriter json;
  json.BeginObject().Key("groups").BeginArray();
  size_t listed = 0;
  for (const auto& [id, summary] : groups) {
    if (listed++ == kMaxGroupsListed) break;
    json.BeginObject().Field("group", id).Field("state", summary.state);
    json.Field("members", summary.members);
    absl::StatusOr<std::map<GroupPartition, PartitionRow>> rows =
        Rows(services, id, services.groups.Describe(id, now));
    if (rows.ok()) {
      int64_t lag = 0;
      std::set<std::string> topics;
      for (const auto& [p, row] : *rows) {
        topics.insert(p.topic);
        lag += std::max<int64_t>(0, row.lag);
      }
      json.Field("partitions", static_cast<uint64_t>(rows->size())).Field("lag", lag);
      json.Key("topics").BeginArray();
      for (const std::string& t : topics)
        json.String(t);
      json.EndArray();
    }
    json.EndObject();
  }
  json.EndArray().Field("truncated", groups.size() > kMaxGroupsListed).EndObject();
  return Json(std::move(json));
}

HttpResponse Group(ConsoleServices& services, std::string_view group) {
  if (absl::Status valid = GroupCoordinator::ValidateGroupId(group); !valid.ok())
    return Error(valid);
  const std::optional<GroupSnapshot> live = services.groups.Describe(group, absl::Now());
  absl::StatusOr<std::map<GroupPartition, PartitionRow>> rows = Rows(services, group, live);
  if (!rows.ok()) return Error(rows.status());
  if (!live && rows->empty()) {
    return Error(404, Cat("group '", group, "' has no members and no committed offsets"),
                 "UNKNOWN_GROUP");
  }
  JsonWriter json;
  json.BeginObject().Field("group", group);
  json.Field("state", live ? live->state : std::string(kStateEmpty));
  json.Field("group_epoch", live ? live->group_epoch : 0);
  json.Key("members").BeginArray();
  if (live) {
    for (const MemberSnapshot& m : live->members) {
      json.BeginObject().Field("member_id", m.member_id).Field("instance_id", m.instance_id);
      json.Field("client_id", m.client_id).Field("member_epoch", m.member_epoch);
      json.Key("assignment");
      WritePartitions(json, m.assignment);
      json.Key("target");
      WritePartitions(json, m.target);
      json.EndObject();
    }
  }
  json.EndArray().Key("offsets").BeginArray();
  for (const auto& [p, row] : *rows) {
    json.BeginObject().Field("topic", p.topic).Field("partition", p.partition);
    json.Field("committed_offset", row.committed).Field("log_end_offset", row.log_end);
    json.Field("lag", row.lag).Field("owner", row.owner).Field("metadata", row.metadata);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return Json(std::move(json));
}

HttpResponse ResetGroupOffsets(ConsoleServices& services, std::string_view group,
                               const HttpRequest& request) {
  if (std::optional<HttpResponse> refused = CheckAction(services.options, request)) {
    return *refused;
  }
  std::string error;
  std::optional<std::string> topic_name =
      RequiredParam(request, "topic", storage::kMaxTopicNameLength, &error);
  std::optional<std::string> to = RequiredParam(request, "to", 16, &error);
  if (!topic_name || !to) return Error(400, error);
  std::optional<storage::TopicInfo> topic = services.topics.Find(*topic_name);
  if (!topic) return Error(404, Cat("unknown topic '", *topic_name, "'"), "UNKNOWN_TOPIC");
  const IntParam partition =
      ParseInt(request, "partition", -1, 0, static_cast<int64_t>(topic->config.partitions) - 1);
  const IntParam value = ParseInt(request, "value", -1, 0, std::numeric_limits<int64_t>::max());
  if (!partition.error.empty()) return Error(400, partition.error);
  if (!value.error.empty()) return Error(400, value.error);
  if ((*to == "offset" || *to == "timestamp") && value.value < 0) {
    return Error(400, "parameter 'value' is required with to=" + *to);
  }
  std::vector<storage::PartitionId> partitions;
  for (storage::PartitionId p = 0; p < topic->config.partitions; ++p) {
    if (partition.value < 0 || static_cast<int64_t>(p) == partition.value) partitions.push_back(p);
  }
  const absl::Time now = absl::Now();
  // Like the CLI's reset: only a group without members, as an administrative (memberless)
  // commit that the coordinator fences like any other.
  if (absl::Status empty = services.groups.CheckDeletable(group, now); !empty.ok()) {
    return Error(empty);
  }
  std::optional<std::vector<storage::GroupOffset>> offsets =
      ResetTargets(services, *topic, partitions, *to, value.value, &error);
  if (!offsets) return Error(400, error);
  std::vector<GroupPartition> fenced_partitions;
  for (const storage::GroupOffset& o : *offsets)
    fenced_partitions.push_back(GroupPartition{o.topic, o.partition});
  std::vector<absl::Status> fenced;
  if (absl::Status ok = services.groups.CheckCommit(group, "", 0, fenced_partitions, now, &fenced);
      !ok.ok()) {
    return Error(ok);
  }
  if (absl::Status committed = services.store.CommitGroupOffsets(group, *offsets);
      !committed.ok()) {
    return Error(committed);
  }
  JsonWriter json;
  json.BeginObject().Field("group", group).Field("topic", topic->name);
  json.Key("offsets").BeginArray();
  for (const storage::GroupOffset& o : *offsets)
    json.BeginObject().Field("partition", o.partition).Field("offset", o.offset).EndObject();
  json.EndArray().EndObject();
  return Json(std::move(json));
}

}  // namespace choreo::broker::console
