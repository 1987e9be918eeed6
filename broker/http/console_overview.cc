// /api/overview, /api/topics and /api/topics/{name}: topics, partitions, offsets, sizes, traffic
// counters and disk. Everything here is in memory (offsets, counters) except the walk of the data
// directory for its size.

#include <filesystem>
#include <set>
#include <system_error>

#include "broker/http/console_util.h"
#include "broker/metrics/system_collectors.h"

namespace choreo::broker::console {
namespace {

struct PartitionFigures {
  storage::PartitionOffsets offsets;
  uint64_t produced_records = 0;
  uint64_t produced_bytes = 0;
  uint64_t fetched_records = 0;
  uint64_t fetched_bytes = 0;
};

PartitionFigures Figures(ConsoleServices& services, const storage::TopicInfo& topic,
                         storage::PartitionId partition) {
  PartitionFigures f;
  absl::StatusOr<storage::PartitionOffsets> offsets =
      services.store.GetOffsets(topic.name, partition);
  if (offsets.ok()) f.offsets = *offsets;
  PartitionCounters* counters = services.partitions.Get(topic.id, partition);
  f.produced_records = counters->produced_records.load(std::memory_order_relaxed);
  f.produced_bytes = counters->produced_bytes.load(std::memory_order_relaxed);
  f.fetched_records = counters->fetched_records.load(std::memory_order_relaxed);
  f.fetched_bytes = counters->fetched_bytes.load(std::memory_order_relaxed);
  return f;
}

// Sums of a topic's partitions. Stored bytes stay -1 if any partition's is unknown.
struct TopicFigures {
  int64_t records = 0;
  int64_t stored_bytes = 0;
  uint64_t produced_records = 0;
  uint64_t produced_bytes = 0;
  uint64_t fetched_records = 0;
  uint64_t fetched_bytes = 0;

  void Add(const PartitionFigures& p) {
    records += p.offsets.high_watermark - p.offsets.log_start_offset;
    if (stored_bytes >= 0) {
      stored_bytes = p.offsets.stored_bytes < 0 ? -1 : stored_bytes + p.offsets.stored_bytes;
    }
    produced_records += p.produced_records;
    produced_bytes += p.produced_bytes;
    fetched_records += p.fetched_records;
    fetched_bytes += p.fetched_bytes;
  }
  void Write(JsonWriter& json) const {
    json.Field("records", records).Field("stored_bytes", stored_bytes);
    json.Field("produced_records", produced_records).Field("produced_bytes", produced_bytes);
    json.Field("fetched_records", fetched_records).Field("fetched_bytes", fetched_bytes);
  }
};

void WriteConfig(JsonWriter& json, const storage::TopicConfig& config) {
  json.Key("config").BeginObject();
  json.Field("partitions", config.partitions);
  json.Field("retention_ms", config.retention_ms);
  json.Field("retention_bytes", config.retention_bytes);
  json.Field("max_message_bytes", config.max_message_bytes);
  json.Field("index_events", config.index_events);
  json.Field("schema_validation", config.schema_validation);
  json.Field("timestamp_type", config.log_append_time ? "log_append_time" : "create_time");
  json.EndObject();
}

// One topic; with its partitions when `detail`.
TopicFigures WriteTopic(ConsoleServices& services, const storage::TopicInfo& topic, bool detail,
                        JsonWriter& json) {
  TopicFigures sums;
  json.BeginObject().Field("name", topic.name).Field("id", storage::ToInt(topic.id));
  WriteConfig(json, topic.config);
  if (detail) json.Key("partitions").BeginArray();
  for (storage::PartitionId p = 0; p < topic.config.partitions; ++p) {
    const PartitionFigures f = Figures(services, topic, p);
    sums.Add(f);
    if (!detail) continue;
    json.BeginObject().Field("partition", p);
    json.Field("log_start_offset", f.offsets.log_start_offset);
    json.Field("high_watermark", f.offsets.high_watermark);
    json.Field("records", f.offsets.high_watermark - f.offsets.log_start_offset);
    json.Field("stored_bytes", f.offsets.stored_bytes);
    json.Field("produced_records", f.produced_records).Field("produced_bytes", f.produced_bytes);
    json.Field("fetched_records", f.fetched_records).Field("fetched_bytes", f.fetched_bytes);
    json.EndObject();
  }
  if (detail) json.EndArray();
  sums.Write(json);
  json.EndObject();
  return sums;
}

void WriteDisk(const std::string& data_dir, JsonWriter& json) {
  json.Key("disk").BeginObject().Field("data_dir", data_dir);
  json.Field("data_dir_bytes", DirectoryBytes(data_dir));
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(data_dir, ec);
  if (!ec) {
    json.Field("filesystem_bytes", static_cast<uint64_t>(space.capacity));
    json.Field("filesystem_available_bytes", static_cast<uint64_t>(space.available));
  }
  json.EndObject();
}

}  // namespace

HttpResponse Overview(ConsoleServices& services, SagaCountCache& sagas,
                      const HttpRequest& /*request*/) {
  const std::vector<storage::TopicInfo> topics = services.topics.List();
  JsonWriter json;
  json.BeginObject();
  const ConsoleOptions& o = services.options;
  json.Key("broker").BeginObject();
  json.Field("id", o.broker_id).Field("version", o.version).Field("time_ms", NowMs());
  json.Field("started_ms", o.started_ms).Field("actions", o.actions);
  json.EndObject();
  TopicFigures totals;
  uint64_t partitions = 0;
  json.Key("topics").BeginArray();
  for (const storage::TopicInfo& topic : topics) {
    const TopicFigures sums = WriteTopic(services, topic, /*detail=*/false, json);
    totals.records += sums.records;
    if (totals.stored_bytes >= 0) {
      totals.stored_bytes = sums.stored_bytes < 0 ? -1 : totals.stored_bytes + sums.stored_bytes;
    }
    totals.produced_records += sums.produced_records;
    totals.produced_bytes += sums.produced_bytes;
    totals.fetched_records += sums.fetched_records;
    totals.fetched_bytes += sums.fetched_bytes;
    partitions += topic.config.partitions;
  }
  json.EndArray();
  json.Key("totals").BeginObject();
  json.Field("topics", static_cast<uint64_t>(topics.size())).Field("partitions", partitions);
  totals.Write(json);
  const std::vector<GroupSummary> live = services.groups.List(absl::Now());
  absl::StatusOr<std::vector<std::string>> committed = services.store.ListGroupsWithOffsets();
  std::set<std::string> groups;
  for (const GroupSummary& g : live)
    groups.insert(g.group_id);
  if (committed.ok()) groups.insert(committed->begin(), committed->end());
  json.Field("groups", static_cast<uint64_t>(groups.size()));
  json.Field("groups_with_members", static_cast<uint64_t>(live.size()));
  json.EndObject();
  WriteDisk(o.data_dir, json);
  // Saga definitions and their open and stuck sagas, from the event index.
  json.Key("sagas").BeginObject();
  json.Field("definitions", static_cast<uint64_t>(services.store.ListSagaDefinitions().size()));
  absl::StatusOr<std::vector<storage::OpenSagaCount>> counts = sagas.Get(services.store, NowMs());
  if (counts.ok()) {
    uint64_t open = 0;
    uint64_t stuck = 0;
    for (const storage::OpenSagaCount& c : *counts) {
      open += c.open;
      stuck += c.stuck;
    }
    json.Field("open", open).Field("stuck", stuck);
  }
  json.EndObject();
  json.EndObject();
  return Json(std::move(json));
}

HttpResponse Topics(ConsoleServices& services, const HttpRequest& /*request*/) {
  JsonWriter json;
  json.BeginObject().Key("topics").BeginArray();
  for (const storage::TopicInfo& topic : services.topics.List())
    WriteTopic(services, topic, /*detail=*/true, json);
  json.EndArray().EndObject();
  return Json(std::move(json));
}

HttpResponse Topic(ConsoleServices& services, std::string_view name) {
  std::optional<storage::TopicInfo> topic = services.topics.Find(name);
  if (!topic) return Error(404, Cat("unknown topic '", name, "'"), "UNKNOWN_TOPIC");
  JsonWriter json;
  WriteTopic(services, *topic, /*detail=*/true, json);
  return Json(std::move(json));
}

}  // namespace choreo::broker::console
