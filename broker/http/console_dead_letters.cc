// /api/dead-letters...: the parked sagas of saga services' dead-letter topics, and the replay and
// discard requests of `choreo dlq`. The topic's record format is documented in
// client/include/choreo/saga/dead_letters.h; this file folds it the same way (the broker does not
// link the client library), and appends requests in that format.
#include <absl/strings/numbers.h>

#include <algorithm>
#include <map>
#include <vector>

#include "broker/http/console_util.h"
#include "broker/http/record_reader.h"
#include "broker/logging.h"
#include "choreo/proto/record_wire.h"

namespace choreo::broker::console {
namespace {

// Bounds on folding one dead-letter topic.
constexpr uint64_t kMaxFoldBytesPerPartition = 64ull << 20;
constexpr size_t kMaxRecordsPerSaga = 1000;
constexpr int64_t kDefaultSagaLimit = 100;
constexpr int64_t kMaxSagaLimit = 1000;
constexpr size_t kMaxSagaIdBytes = 1024;

struct DeadLetterRow {
  std::string kind;  // "dead" or "parked"
  int64_t dlq_offset = 0;
  std::string topic;
  std::string partition;
  std::string offset;
  std::string type;
  std::string event_id;
  std::string error;
  std::string attempts;
  std::string handler;
  std::string time;
};

struct ParkedSaga {
  storage::PartitionId partition = 0;
  std::vector<DeadLetterRow> records;
  size_t dropped = 0;     // records beyond kMaxRecordsPerSaga, not kept
  std::string requested;  // "replay" or "discard" while one is pending
};

struct Fold {
  std::map<std::string, ParkedSaga> parked;
  bool truncated = false;  // a partition was longer than the fold's bound
  int64_t records = 0;
};

std::string Header(const proto::RecordView& record, std::string_view key) {
  return std::string(FindHeader(record, key).value_or(""));
}

void Apply(storage::PartitionId partition, storage::Offset offset, const proto::RecordView& record,
           Fold* fold) {
  const std::string kind = Header(record, "choreo_dlq_kind");
  const std::string saga_id(record.key);
  if (kind == "dead" || kind == "parked") {
    ParkedSaga& saga = fold->parked[saga_id];
    saga.partition = partition;
    if (saga.records.size() == kMaxRecordsPerSaga) {
      ++saga.dropped;
      return;
    }
    saga.records.push_back(DeadLetterRow{
        .kind = kind,
        .dlq_offset = offset,
        .topic = Header(record, "choreo_dlq_topic"),
        .partition = Header(record, "choreo_dlq_partition"),
        .offset = Header(record, "choreo_dlq_offset"),
        .type = Header(record, "ce_type"),
        .event_id = Header(record, "ce_id"),
        .error = Header(record, "choreo_dlq_error"),
        .attempts = Header(record, "choreo_dlq_attempts"),
        .handler = Header(record, "choreo_dlq_handler"),
        .time = Header(record, "choreo_dlq_time"),
    });
  } else if (kind == "replay" || kind == "discard") {
    if (auto it = fold->parked.find(saga_id); it != fold->parked.end()) it->second.requested = kind;
  } else if (kind == "resolved") {
    auto it = fold->parked.find(saga_id);
    if (it == fold->parked.end()) return;
    int64_t through = -1;
    const std::string text = Header(record, "choreo_dlq_through");
    if (!absl::SimpleAtoi(text, &through)) through = -1;
    std::erase_if(it->second.records,
                  [&](const DeadLetterRow& d) { return d.dlq_offset <= through; });
    if (it->second.records.empty()) {
      fold->parked.erase(it);
    } else {
      it->second.requested.clear();
    }
  }
}

absl::StatusOr<Fold> FoldTopic(ConsoleServices& services, const storage::TopicInfo& topic) {
  Fold fold;
  for (storage::PartitionId p = 0; p < topic.config.partitions; ++p) {
    absl::StatusOr<storage::PartitionOffsets> offsets = services.store.GetOffsets(topic.name, p);
    if (!offsets.ok()) return offsets.status();
    absl::StatusOr<storage::Offset> next = VisitRecords(
        services.store, topic.name, p, offsets->log_start_offset, offsets->high_watermark,
        kMaxFoldBytesPerPartition, [&](storage::Offset offset, const proto::RecordView& record) {
          ++fold.records;
          Apply(p, offset, record, &fold);
          return true;
        });
    if (!next.ok()) return next.status();
    if (*next < offsets->high_watermark) fold.truncated = true;
  }
  return fold;
}

bool IsDeadLetterTopic(std::string_view name) {
  return name.ends_with(".dlq");
}

void WriteSaga(JsonWriter& json, const std::string& saga_id, const ParkedSaga& saga) {
  size_t dead = 0;
  for (const DeadLetterRow& r : saga.records)
    dead += r.kind == "dead" ? 1 : 0;
  json.BeginObject().Field("saga_id", saga_id).Field("partition", saga.partition);
  json.Field("dead", static_cast<uint64_t>(dead));
  json.Field("parked", static_cast<uint64_t>(saga.records.size() - dead + saga.dropped));
  json.Field("requested", saga.requested);
  json.Field("first_error", saga.records.empty() ? "" : saga.records.front().error);
  json.Field("since", saga.records.empty() ? "" : saga.records.front().time);
  json.Key("records").BeginArray();
  for (const DeadLetterRow& r : saga.records) {
    json.BeginObject().Field("kind", r.kind).Field("dlq_offset", r.dlq_offset);
    json.Field("topic", r.topic).Field("partition", r.partition).Field("offset", r.offset);
    json.Field("type", r.type).Field("event_id", r.event_id).Field("error", r.error);
    json.Field("attempts", r.attempts).Field("handler", r.handler).Field("time", r.time);
    json.EndObject();
  }
  json.EndArray().EndObject();
}

// Appends a replay or discard request for `saga_id` to `partition` of the dead-letter topic,
// where the saga's records are (a producer would pick the same partition from the key).
absl::StatusOr<storage::AppendResult> AppendRequest(ConsoleServices& services,
                                                    const std::string& topic,
                                                    storage::PartitionId partition,
                                                    const std::string& saga_id,
                                                    std::string_view action) {
  const int64_t now = NowMs();
  const proto::HeaderView headers[] = {{"choreo_dlq_kind", action}};
  std::string payload;
  proto::AppendRecord(saga_id, "", headers, now, &payload);
  std::string batch;
  if (!proto::EncodeBatchFromPayload(std::move(payload), 1, now, now, proto::COMPRESSION_NONE,
                                     proto::BatchProducerFields{}, &batch)) {
    return absl::InternalError("cannot encode the request record");
  }
  return services.store.AppendAndWait(
      topic, partition, std::move(batch),
      storage::BatchFields{.record_count = 1, .max_timestamp_ms = now});
}

}  // namespace

HttpResponse DeadLetterTopics(ConsoleServices& services, const HttpRequest& /*request*/) {
  JsonWriter json;
  json.BeginObject().Key("topics").BeginArray();
  for (const storage::TopicInfo& topic : services.topics.List()) {
    if (!IsDeadLetterTopic(topic.name)) continue;
    absl::StatusOr<Fold> fold = FoldTopic(services, topic);
    json.BeginObject().Field("topic", topic.name);
    json.Field("group", topic.name.substr(0, topic.name.size() - 4));
    json.Field("partitions", topic.config.partitions);
    if (fold.ok()) {
      size_t requested = 0;
      for (const auto& [id, saga] : fold->parked)
        requested += saga.requested.empty() ? 0 : 1;
      json.Field("records", fold->records);
      json.Field("parked_sagas", static_cast<uint64_t>(fold->parked.size()));
      json.Field("requested", static_cast<uint64_t>(requested));
      json.Field("truncated", fold->truncated);
    } else {
      json.Field("error", View(fold.status().message()));
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  return Json(std::move(json));
}

HttpResponse DeadLetterSagas(ConsoleServices& services, std::string_view topic_name,
                             const HttpRequest& request) {
  std::optional<storage::TopicInfo> topic = services.topics.Find(topic_name);
  if (!topic) return Error(404, Cat("unknown topic '", topic_name, "'"), "UNKNOWN_TOPIC");
  const IntParam limit = ParseInt(request, "limit", kDefaultSagaLimit, 1, kMaxSagaLimit);
  if (!limit.error.empty()) return Error(400, limit.error);
  const std::string_view only = request.Param("saga").value_or("");
  absl::StatusOr<Fold> fold = FoldTopic(services, *topic);
  if (!fold.ok()) return Error(fold.status());
  JsonWriter json;
  json.BeginObject().Field("topic", topic->name).Field("records", fold->records);
  json.Field("parked_sagas", static_cast<uint64_t>(fold->parked.size()));
  json.Field("truncated", fold->truncated).Field("actions", services.options.actions);
  json.Key("sagas").BeginArray();
  int64_t listed = 0;
  for (const auto& [id, saga] : fold->parked) {
    if (!only.empty() && id != only) continue;
    if (listed++ == limit.value) break;
    WriteSaga(json, id, saga);
  }
  json.EndArray().EndObject();
  return Json(std::move(json));
}

HttpResponse DeadLetterAction(ConsoleServices& services, std::string_view topic_name,
                              std::string_view action, const HttpRequest& request) {
  if (std::optional<HttpResponse> refused = CheckAction(services.options, request)) {
    return *refused;
  }
  std::string error;
  std::optional<std::string> saga_id = RequiredParam(request, "saga", kMaxSagaIdBytes, &error);
  if (!saga_id) return Error(400, error);
  std::optional<storage::TopicInfo> topic = services.topics.Find(topic_name);
  if (!topic) return Error(404, Cat("unknown topic '", topic_name, "'"), "UNKNOWN_TOPIC");
  absl::StatusOr<Fold> fold = FoldTopic(services, *topic);
  if (!fold.ok()) return Error(fold.status());
  auto saga = fold->parked.find(*saga_id);
  // As `choreo dlq replay|discard`: nothing is appended for a saga that is not parked.
  if (saga == fold->parked.end()) {
    return Error(409, Cat("saga '", *saga_id, "' is not parked in ", topic->name), "NOT_PARKED");
  }
  absl::StatusOr<storage::AppendResult> appended =
      AppendRequest(services, topic->name, saga->second.partition, *saga_id, action);
  if (!appended.ok()) return Error(appended.status());
  BrokerLog().info("console: {} requested for saga {} in {} (partition {}, offset {})", action,
                   *saga_id, topic->name, saga->second.partition, appended->base_offset);
  JsonWriter json;
  json.BeginObject().Field("topic", topic->name).Field("saga_id", *saga_id);
  json.Field("action", action).Field("partition", saga->second.partition);
  json.Field("offset", appended->base_offset).EndObject();
  return Json(std::move(json));
}

}  // namespace choreo::broker::console
