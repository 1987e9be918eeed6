// /api/sagas/...: event search through the broker's event index, one saga's timeline (its events,
// the causation links between them, which consumer groups have handled each one, its dead-letter
// copies), and the stuck sagas of the saga definitions. Everything answers from the index, never
// by scanning a topic.
#include <absl/strings/escaping.h>

#include <algorithm>
#include <map>
#include <set>

#include "broker/http/console_util.h"

namespace choreo::broker::console {
namespace {

constexpr int64_t kDefaultSearchLimit = 100;
constexpr int64_t kMaxSearchLimit = 1000;
// Events of one timeline at most; a saga with more is shown truncated.
constexpr size_t kMaxTimelineEvents = 2000;
constexpr size_t kMaxGroupsChecked = 500;
constexpr int64_t kDefaultStuckLimit = 100;
constexpr int64_t kMaxStuckLimit = 1000;
constexpr size_t kMaxValueBytes = storage::kMaxIndexedFieldBytes;
constexpr std::string_view kSagaMetadataPrefix = "choreo-saga/1 ";

void WriteEvent(JsonWriter& json, const storage::IndexedEvent& e) {
  const storage::IndexedEventFields& f = e.fields;
  json.Field("topic", e.topic).Field("partition", e.partition).Field("offset", e.offset);
  json.Field("time_ms", f.time_ms).Field("type", f.type).Field("source", f.source);
  json.Field("event_id", f.event_id).Field("saga_id", f.saga_id);
  json.Field("causation_id", f.causation_id).Field("key", f.key).Field("dlq_kind", f.dlq_kind);
}

std::optional<storage::EventIndexKind> ParseKind(std::string_view by) {
  if (by == "saga") return storage::EventIndexKind::kSaga;
  if (by == "event_id") return storage::EventIndexKind::kEventId;
  if (by == "type") return storage::EventIndexKind::kType;
  if (by == "key") return storage::EventIndexKind::kKey;
  return std::nullopt;
}

// One group's committed position on a partition, with the offsets above it that the saga layer's
// commit metadata ("choreo-saga/1 " + base64 bitmap, bit i = offset + 1 + i) marks finished.
struct Commit {
  std::string group = {};
  int64_t offset = 0;
  std::string bitmap = {};

  bool Handled(int64_t event_offset) const {
    if (event_offset < offset) return true;
    const int64_t bit = event_offset - offset - 1;
    if (bit < 0 || static_cast<size_t>(bit / 8) >= bitmap.size()) return false;
    return (static_cast<unsigned char>(bitmap[static_cast<size_t>(bit / 8)]) >> (bit % 8)) & 1;
  }
};

using PartitionKey = std::pair<std::string, uint32_t>;

// The commits of every group on the partitions in `partitions`.
std::map<PartitionKey, std::vector<Commit>> CommitsOn(ConsoleServices& services,
                                                      const std::set<PartitionKey>& partitions) {
  std::set<std::string> groups;
  for (const GroupSummary& g : services.groups.List(absl::Now()))
    groups.insert(g.group_id);
  if (absl::StatusOr<std::vector<std::string>> committed = services.store.ListGroupsWithOffsets();
      committed.ok()) {
    groups.insert(committed->begin(), committed->end());
  }
  std::map<PartitionKey, std::vector<Commit>> out;
  size_t checked = 0;
  for (const std::string& group : groups) {
    if (checked++ == kMaxGroupsChecked) break;
    absl::StatusOr<std::vector<storage::GroupOffset>> offsets =
        services.store.FetchGroupOffsets(group);
    if (!offsets.ok()) continue;
    for (const storage::GroupOffset& o : *offsets) {
      PartitionKey key{o.topic, o.partition};
      if (!partitions.contains(key)) continue;
      Commit commit{.group = group, .offset = o.offset};
      const std::string_view metadata = o.metadata;
      if (metadata.starts_with(kSagaMetadataPrefix)) {
        const std::string_view encoded = metadata.substr(kSagaMetadataPrefix.size());
        if (!absl::Base64Unescape(absl::string_view(encoded.data(), encoded.size()),
                                  &commit.bitmap)) {
          commit.bitmap.clear();
        }
      }
      out[key].push_back(std::move(commit));
    }
  }
  return out;
}

// Every event of the saga, in time order, up to kMaxTimelineEvents.
absl::StatusOr<storage::EventPage> SagaEvents(ConsoleServices& services,
                                              const std::string& saga_id) {
  storage::EventPage all;
  std::string token;
  do {
    absl::StatusOr<storage::EventPage> page = services.store.FindEvents(
        storage::EventQuery{.by = storage::EventIndexKind::kSaga,
                            .value = saga_id,
                            .limit = kMaxTimelineEvents - all.events.size(),
                            .page_token = token});
    if (!page.ok()) return page.status();
    for (storage::IndexedEvent& e : page->events)
      all.events.push_back(std::move(e));
    token = page->next_page_token;
  } while (!token.empty() && all.events.size() < kMaxTimelineEvents);
  all.next_page_token = token;
  return all;
}

// The group a dead-letter topic belongs to ("payment-service.dlq" -> "payment-service").
std::string DeadLetterGroup(std::string_view topic) {
  return topic.ends_with(".dlq") ? std::string(topic.substr(0, topic.size() - 4)) : "";
}

// `events` (time order) reordered so that each event comes after its cause, even where the
// clocks (or equal ce_time values) say otherwise, so every causation arrow of the diagram points
// down. Otherwise time order is kept. A causation cycle (malformed headers) is cut where it was
// entered.
std::vector<const storage::IndexedEvent*> CauseFirst(
    const std::vector<const storage::IndexedEvent*>& events) {
  std::map<std::string_view, size_t> by_id;
  for (size_t i = 0; i < events.size(); ++i)
    by_id.try_emplace(events[i]->fields.event_id, i);
  enum : char { kNew, kVisiting, kDone };
  std::vector<char> state(events.size(), kNew);
  std::vector<const storage::IndexedEvent*> out;
  for (size_t start = 0; start < events.size(); ++start) {
    // Walk up the causes not placed yet, then place them from the oldest down.
    std::vector<size_t> chain;
    for (size_t i = start; state[i] == kNew;) {
      state[i] = kVisiting;
      chain.push_back(i);
      const std::string& cause = events[i]->fields.causation_id;
      auto it = cause.empty() ? by_id.end() : by_id.find(cause);
      if (it == by_id.end()) break;
      i = it->second;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      state[*it] = kDone;
      out.push_back(events[*it]);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<storage::OpenSagaCount>> SagaCountCache::Get(
    const storage::LogStore& store, int64_t now_ms) {
  MutexLock lock(&mu_);
  if (counted_at_ms_ < 0 || now_ms - counted_at_ms_ >= kRefreshMs || now_ms < counted_at_ms_) {
    counts_ = store.CountOpenSagas(now_ms);
    counted_at_ms_ = now_ms;
  }
  return counts_;
}

HttpResponse SagaSearch(ConsoleServices& services, const HttpRequest& request) {
  std::string error;
  std::optional<std::string> by = RequiredParam(request, "by", 16, &error);
  std::optional<std::string> value = RequiredParam(request, "value", kMaxValueBytes, &error);
  if (!by || !value) return Error(400, error);
  std::optional<storage::EventIndexKind> kind = ParseKind(*by);
  if (!kind) return Error(400, "parameter 'by' must be saga, event_id, type or key");
  const IntParam limit = ParseInt(request, "limit", kDefaultSearchLimit, 1, kMaxSearchLimit);
  const IntParam since = ParseInt(request, "since", 0, 0, std::numeric_limits<int64_t>::max());
  if (!limit.error.empty()) return Error(400, limit.error);
  if (!since.error.empty()) return Error(400, since.error);
  const std::string_view topic = request.Param("topic").value_or("");
  const std::string_view token = request.Param("page_token").value_or("");
  if (topic.size() > storage::kMaxTopicNameLength || token.size() > 4 * kMaxValueBytes) {
    return Error(400, "parameter 'topic' or 'page_token' is too long");
  }
  absl::StatusOr<storage::EventPage> page =
      services.store.FindEvents(storage::EventQuery{.by = *kind,
                                                    .value = *value,
                                                    .since_ms = since.value,
                                                    .topic = std::string(topic),
                                                    .limit = static_cast<size_t>(limit.value),
                                                    .page_token = std::string(token)});
  if (!page.ok()) return Error(page.status());
  JsonWriter json;
  json.BeginObject().Field("by", *by).Field("value", *value).Key("events").BeginArray();
  for (const storage::IndexedEvent& e : page->events) {
    json.BeginObject();
    WriteEvent(json, e);
    json.EndObject();
  }
  json.EndArray().Field("next_page_token", page->next_page_token).EndObject();
  return Json(std::move(json));
}

HttpResponse SagaTimeline(ConsoleServices& services, const HttpRequest& request) {
  std::string error;
  std::optional<std::string> saga_id = RequiredParam(request, "id", kMaxValueBytes, &error);
  if (!saga_id) return Error(400, error);
  absl::StatusOr<storage::EventPage> found = SagaEvents(services, *saga_id);
  if (!found.ok()) return Error(found.status());
  // The saga's own events, and the dead-letter copies of them (dlq_kind set).
  std::vector<const storage::IndexedEvent*> events;
  std::vector<const storage::IndexedEvent*> copies;
  for (const storage::IndexedEvent& e : found->events)
    (e.fields.dlq_kind.empty() ? events : copies).push_back(&e);
  events = CauseFirst(events);
  std::map<std::string, size_t> index_of;  // event id -> first index
  std::set<PartitionKey> partitions;
  for (size_t i = 0; i < events.size(); ++i) {
    index_of.try_emplace(events[i]->fields.event_id, i);
    partitions.insert({events[i]->topic, events[i]->partition});
  }
  const std::map<PartitionKey, std::vector<Commit>> commits = CommitsOn(services, partitions);

  JsonWriter json;
  json.BeginObject().Field("saga_id", *saga_id);
  json.Field("truncated", !found->next_page_token.empty());
  json.Key("events").BeginArray();
  for (size_t i = 0; i < events.size(); ++i) {
    const storage::IndexedEvent& e = *events[i];
    json.BeginObject().Field("index", static_cast<uint64_t>(i));
    WriteEvent(json, e);
    // The cause, if it is an earlier event of the saga (so the links never form a cycle).
    auto cause = index_of.find(e.fields.causation_id);
    json.Field("parent", cause != index_of.end() && cause->second < i
                             ? static_cast<int64_t>(cause->second)
                             : int64_t{-1});
    // Where each group stands with it: dead or parked (its dead-letter copy), else handled or
    // pending (its commit on the event's partition).
    std::map<std::string, std::string> groups;
    for (const storage::IndexedEvent* copy : copies) {
      if (copy->fields.event_id != e.fields.event_id) continue;
      const std::string group = DeadLetterGroup(copy->topic);
      if (!group.empty()) groups[group] = copy->fields.dlq_kind;
    }
    if (auto it = commits.find({e.topic, e.partition}); it != commits.end()) {
      for (const Commit& c : it->second)
        groups.try_emplace(c.group, c.Handled(e.offset) ? "handled" : "pending");
    }
    json.Key("groups").BeginArray();
    for (const auto& [group, state] : groups)
      json.BeginObject().Field("group", group).Field("state", state).EndObject();
    json.EndArray().EndObject();
  }
  json.EndArray().Key("dead_letters").BeginArray();
  for (const storage::IndexedEvent* copy : copies) {
    json.BeginObject();
    WriteEvent(json, *copy);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return Json(std::move(json));
}

HttpResponse StuckSagas(ConsoleServices& services, SagaCountCache& sagas,
                        const HttpRequest& request) {
  const IntParam limit = ParseInt(request, "limit", kDefaultStuckLimit, 1, kMaxStuckLimit);
  if (!limit.error.empty()) return Error(400, limit.error);
  const std::string_view definition = request.Param("definition").value_or("");
  if (definition.size() > storage::kMaxTopicNameLength) return Error(400, "definition too long");
  const int64_t now = NowMs();
  const std::vector<storage::SagaDefinition> definitions = services.store.ListSagaDefinitions();
  absl::StatusOr<std::vector<storage::OpenSaga>> stuck =
      services.store.ListStuckSagas(definition, now, static_cast<size_t>(limit.value));
  if (!stuck.ok()) return Error(stuck.status());
  absl::StatusOr<std::vector<storage::OpenSagaCount>> counts = sagas.Get(services.store, now);

  JsonWriter json;
  json.BeginObject().Field("time_ms", now).Key("definitions").BeginArray();
  std::map<std::string, int64_t> deadlines;
  for (const storage::SagaDefinition& d : definitions) {
    deadlines[d.name] = d.deadline_ms;
    json.BeginObject().Field("name", d.name).Field("deadline_ms", d.deadline_ms);
    json.Key("start_types").BeginArray();
    for (const std::string& t : d.start_types)
      json.String(t);
    json.EndArray().Key("terminal_types").BeginArray();
    for (const std::string& t : d.terminal_types)
      json.String(t);
    json.EndArray().EndObject();
  }
  json.EndArray().Key("counts");
  if (counts.ok()) {
    // The counts may be a few seconds old (SagaCountCache); the stuck list is not. When the list
    // is complete it is the exact stuck count, so the page never shows a list longer than its
    // count.
    std::map<std::string, uint64_t> listed;
    for (const storage::OpenSaga& s : *stuck)
      ++listed[s.definition];
    const bool complete = stuck->size() < static_cast<size_t>(limit.value);
    json.BeginArray();
    for (const storage::OpenSagaCount& c : *counts) {
      const bool exact = complete && (definition.empty() || c.definition == definition);
      const uint64_t stuck_now = exact ? listed[c.definition] : c.stuck;
      json.BeginObject().Field("definition", c.definition);
      json.Field("open", std::max(c.open, stuck_now)).Field("stuck", stuck_now).EndObject();
    }
    json.EndArray();
  } else {
    json.Null();
  }
  json.Key("stuck").BeginArray();
  for (const storage::OpenSaga& s : *stuck) {
    json.BeginObject().Field("definition", s.definition).Field("saga_id", s.saga_id);
    json.Field("started_ms", s.started_ms).Field("waited_ms", now - s.last_event.fields.time_ms);
    json.Field("overdue_ms", now - s.started_ms - deadlines[s.definition]);
    json.Key("last_event").BeginObject();
    WriteEvent(json, s.last_event);
    json.EndObject().EndObject();
  }
  json.EndArray().EndObject();
  return Json(std::move(json));
}

}  // namespace choreo::broker::console
