#include "storage/event_index.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <utility>

#include "choreo/storage/errors.h"
#include "storage/event_index_format.h"
#include "storage/meta_format.h"
#include "storage/range_iterator.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

// One query reads at most this many entries, readable or not (a topic filter or a long-deleted
// topic could otherwise make one request scan the whole index); it then returns what it found
// with a page token to continue.
constexpr size_t kMaxScannedEntries = 200000;
// Entries of one saga read to find its state; a saga with more events is judged by these.
constexpr size_t kMaxSagaEntries = 10000;

bool Contains(const std::vector<std::string>& types, std::string_view type) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool Opens(const SagaDefinition& d, const IndexedEventFields& e) {
  if (d.start_types.empty()) return e.causation_id.empty();
  return Contains(d.start_types, e.type);
}

absl::Status InvalidDefinition(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("saga definition: ", ToAbsl(what)));
}

absl::Status CheckDefinition(const SagaDefinition& d) {
  if (absl::Status s = ValidateTopicName(d.name); !s.ok()) {
    return InvalidDefinition(absl::StrCat(
        "name '", d.name, "' is invalid: 1 to 249 characters of [a-zA-Z0-9._-] (as topic names)"));
  }
  if (d.terminal_types.empty()) return InvalidDefinition("at least one terminal type is required");
  if (d.deadline_ms <= 0) return InvalidDefinition("the deadline must be positive");
  for (const std::vector<std::string>* types : {&d.start_types, &d.terminal_types}) {
    if (types->size() > kMaxSagaDefinitionTypes) {
      return InvalidDefinition(
          absl::StrCat("at most ", kMaxSagaDefinitionTypes, " start and terminal types each"));
    }
    for (const std::string& type : *types) {
      if (type.empty() || type.size() > kMaxIndexedFieldBytes) {
        return InvalidDefinition(
            absl::StrCat("event types must be 1 to ", kMaxIndexedFieldBytes, " bytes"));
      }
    }
  }
  return absl::OkStatus();
}

rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;  // definitions change rarely: always make them durable
  return options;
}

}  // namespace

class EventIndex::Liveness {
 public:
  explicit Liveness(const TopicRegistry& registry) {
    for (std::shared_ptr<TopicState>& topic : registry.States()) {
      if (topic->deleted.load()) continue;
      by_id_.emplace(topic->info.id, std::move(topic));
    }
  }

  // The topic's state if the record at (topic_id, partition, offset) is readable.
  const TopicState* Readable(const EntryPosition& at) const {
    auto it = by_id_.find(at.topic_id);
    if (it == by_id_.end()) return nullptr;
    const TopicState& topic = *it->second;
    if (at.partition >= topic.partitions.size()) return nullptr;
    const PartitionState& p = topic.partitions[at.partition];
    if (at.offset < p.log_start.load(std::memory_order_acquire)) return nullptr;
    if (at.offset >= p.high_watermark.load(std::memory_order_acquire)) return nullptr;
    return &topic;
  }

  std::optional<TopicId> IdOf(std::string_view name) const {
    for (const auto& [id, topic] : by_id_) {
      if (topic->info.name == name) return id;
    }
    return std::nullopt;
  }

 private:
  absl::flat_hash_map<TopicId, std::shared_ptr<TopicState>> by_id_;
};

absl::Status EventIndex::Load() {
  const std::string begin(1, kSagaDefinitionKeyPrefix);
  RangeIterator it(db_, db_.meta, begin, PrefixEnd(begin));
  auto loaded = std::make_shared<Definitions_>();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    absl::StatusOr<SagaDefinition> d =
        DecodeSagaDefinition(key.substr(1), it->value().ToStringView());
    if (!d.ok()) return d.status();
    loaded->push_back(*std::move(d));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "load saga definitions");
  MutexLock lock(&mu_);
  definitions_ = std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<const EventIndex::Definitions_> EventIndex::Snapshot() const {
  MutexLock lock(&mu_);
  return definitions_;
}

void EventIndex::Stage(TopicId topic_id, PartitionId partition, Offset base,
                       const std::vector<IndexedEventFields>& events,
                       std::vector<Write>* writes) const {
  std::shared_ptr<const Definitions_> definitions = Snapshot();
  for (const IndexedEventFields& e : events) {
    const EntryPosition at{.time_ms = e.time_ms,
                           .topic_id = topic_id,
                           .partition = partition,
                           .offset = base + e.offset_delta};
    // The fields once, in the saga entry; the other entries refer to it (event_index_format.h).
    std::string fields = EncodeEntryValue(e);
    const std::string value = e.saga_id.empty() ? fields : EncodeEntryReference(e.saga_id);
    if (!e.saga_id.empty()) {
      writes->push_back({EncodeEntryKey(EventIndexKind::kSaga, e.saga_id, at), std::move(fields)});
    }
    writes->push_back({EncodeEntryKey(EventIndexKind::kEventId, e.event_id, at), value});
    writes->push_back({EncodeEntryKey(EventIndexKind::kType, e.type, at), value});
    if (!e.key.empty() && e.key != e.saga_id) {
      writes->push_back({EncodeEntryKey(EventIndexKind::kKey, e.key, at), value});
    }
    if (e.saga_id.empty()) continue;
    for (const SagaDefinition& d : *definitions) {
      if (Contains(d.terminal_types, e.type)) {
        writes->push_back({OpenSagaKey(d.name, e.saga_id), "", /*erase=*/true});
      } else if (Opens(d, e)) {
        writes->push_back({OpenSagaKey(d.name, e.saga_id), EncodeOpenSagaValue(e.time_ms)});
      }
    }
  }
}

absl::Status EventIndex::Apply(std::vector<Write>& writes, rocksdb::WriteBatch& batch) const {
  // Stable: a saga opened and closed in one group must be closed last.
  std::stable_sort(writes.begin(), writes.end(),
                   [](const Write& a, const Write& b) { return a.key < b.key; });
  for (const Write& w : writes) {
    rocksdb::Status s =
        w.erase ? batch.Delete(db_.events, w.key) : batch.Put(db_.events, w.key, w.value);
    if (!s.ok()) return FromRocksStatus(s, "stage event index entries");
  }
  return absl::OkStatus();
}

absl::Status EventIndex::ResolveReferences(const std::vector<Reference>& references,
                                           RangeResult* out) const {
  if (references.empty()) return absl::OkStatus();
  // One MultiGet for the page: RocksDB batches the lookups per file and block.
  std::vector<std::string> keys;
  keys.reserve(references.size());
  for (const Reference& r : references) {
    keys.push_back(
        EncodeEntryKey(EventIndexKind::kSaga, out->events[r.index].second.fields.saga_id, r.at));
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), db_.events);
  std::vector<std::string> values;
  std::vector<rocksdb::Status> found =
      db_.db->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  for (size_t i = 0; i < references.size(); ++i) {
    IndexedEventFields& fields = out->events[references[i].index].second.fields;
    if (found[i].IsNotFound()) {
      // Written in the same WriteBatch as the reference: only a damaged store lacks it.
      return absl::DataLossError(absl::StrCat("event index: the saga entry of an event of saga '",
                                              fields.saga_id, "' is missing"));
    }
    if (!found[i].ok()) return FromRocksStatus(found[i], "read an event's saga entry");
    bool reference = false;
    if (absl::Status s = DecodeEntryValue(values[i], &fields, &reference); !s.ok()) return s;
    if (reference) return absl::DataLossError("event index: a saga entry refers to another entry");
  }
  return absl::OkStatus();
}

absl::Status EventIndex::ScanRange(const Liveness& live, const RangeQuery& range,
                                   const EventQuery& query, std::optional<TopicId> topic_filter,
                                   RangeResult* out) const {
  const std::string prefix = EntryPrefix(range.kind, query.value);
  std::string start = EntrySeekKey(range.kind, query.value, query.since_ms);
  const std::string after = query.page_token.empty() ? "" : prefix + query.page_token;
  start = std::max(start, after);
  RangeIterator it(db_, db_.events, prefix, PrefixEnd(prefix));
  size_t scanned = 0;
  std::vector<Reference> references;
  for (it->Seek(start); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key == after) continue;
    if (out->events.size() == query.limit || scanned == kMaxScannedEntries) {
      out->more = true;
      break;
    }
    ++scanned;
    out->resume.assign(key.substr(prefix.size()));
    std::optional<EntryPosition> at = DecodeEntryPosition(prefix, key);
    if (!at) continue;
    if (topic_filter && at->topic_id != *topic_filter) continue;
    const TopicState* topic = live.Readable(*at);
    if (topic == nullptr) continue;
    IndexedEvent event;
    bool reference = false;
    if (absl::Status s = DecodeEntryValue(it->value().ToStringView(), &event.fields, &reference);
        !s.ok()) {
      return s;
    }
    // Saga entries are never references, so the filter never waits for a resolution.
    if (range.only_key_equal_to_saga && event.fields.key != event.fields.saga_id) continue;
    if (reference) references.push_back({out->events.size(), *at});
    event.topic = topic->info.name;
    event.partition = at->partition;
    event.offset = at->offset;
    out->events.emplace_back(std::string(key.substr(prefix.size())), std::move(event));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "search the event index");
  if (absl::Status s = ResolveReferences(references, out); !s.ok()) return s;
  for (auto& [position, event] : out->events) {
    event.fields.time_ms = DecodeEntryPositionBytes(position)->time_ms;
  }
  return absl::OkStatus();
}

absl::StatusOr<EventPage> EventIndex::Find(const EventQuery& query) const {
  if (query.value.empty()) return absl::InvalidArgumentError("event search: empty value");
  if (query.value.size() > kMaxIndexedFieldBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event search: values longer than ", kMaxIndexedFieldBytes, " bytes are never indexed"));
  }
  if (query.limit == 0 || query.limit > kMaxEventQueryLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("event search: limit must be 1 to ", kMaxEventQueryLimit));
  }
  if (!query.page_token.empty() && !DecodeEntryPositionBytes(query.page_token)) {
    return absl::InvalidArgumentError("event search: malformed page token");
  }
  const Liveness live(registry_);
  std::optional<TopicId> topic_filter;
  if (!query.topic.empty()) {
    topic_filter = live.IdOf(query.topic);
    if (!topic_filter) {
      return MakeStoreError(StoreErrorKind::kUnknownTopic,
                            absl::StrCat("unknown topic '", query.topic, "'"));
    }
  }
  // A record key equal to the saga id has no 'k' entry (Stage): a key search reads the saga
  // entries of that value too, and merges the two ranges by position.
  std::vector<RangeQuery> ranges = {{.kind = query.by}};
  if (query.by == EventIndexKind::kKey) {
    ranges.push_back({.kind = EventIndexKind::kSaga, .only_key_equal_to_saga = true});
  }
  std::vector<RangeResult> results(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (absl::Status s = ScanRange(live, ranges[i], query, topic_filter, &results[i]); !s.ok()) {
      return s;
    }
  }
  // Nothing after the first place a range stopped reading can be answered yet: the other range
  // may hold earlier events beyond it.
  std::optional<std::string> boundary;
  for (const RangeResult& r : results) {
    if (r.more && (!boundary || r.resume < *boundary)) boundary = r.resume;
  }
  std::vector<std::pair<std::string, IndexedEvent>> merged;
  for (RangeResult& r : results) {
    for (auto& entry : r.events)
      merged.push_back(std::move(entry));
  }
  std::sort(merged.begin(), merged.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  EventPage page;
  for (auto& [position, event] : merged) {
    if (boundary && position > *boundary) break;
    if (page.events.size() == query.limit) {
      boundary = page.next_page_token;
      break;
    }
    page.events.push_back(std::move(event));
    page.next_page_token = position;
  }
  if (boundary) {
    page.next_page_token = *boundary;
  } else {
    page.next_page_token.clear();
  }
  return page;
}

absl::Status EventIndex::Define(const SagaDefinition& definition) {
  if (absl::Status s = CheckDefinition(definition); !s.ok()) return s;
  std::shared_ptr<const Definitions_> current = Snapshot();
  auto next = std::make_shared<Definitions_>(*current);
  auto it = std::find_if(next->begin(), next->end(),
                         [&](const SagaDefinition& d) { return d.name == definition.name; });
  if (it != next->end()) {
    *it = definition;
  } else if (next->size() == kMaxSagaDefinitions) {
    return InvalidDefinition(absl::StrCat("at most ", kMaxSagaDefinitions, " definitions"));
  } else {
    next->push_back(definition);
    std::sort(next->begin(), next->end(),
              [](const SagaDefinition& a, const SagaDefinition& b) { return a.name < b.name; });
  }
  if (absl::Status refused = db_.CheckWritable("define a saga"); !refused.ok()) return refused;
  rocksdb::Status s = db_.db->Put(SyncWrite(), db_.meta, SagaDefinitionMetaKey(definition.name),
                                  EncodeSagaDefinition(definition));
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("define saga '", definition.name, "'"));
  MutexLock lock(&mu_);
  definitions_ = std::move(next);
  return absl::OkStatus();
}

absl::Status EventIndex::Remove(std::string_view name) {
  std::shared_ptr<const Definitions_> current = Snapshot();
  auto next = std::make_shared<Definitions_>();
  for (const SagaDefinition& d : *current) {
    if (d.name != name) next->push_back(d);
  }
  if (next->size() == current->size()) {
    return absl::NotFoundError(absl::StrCat("no saga definition '", ToAbsl(name), "'"));
  }
  if (absl::Status refused = db_.CheckWritable("remove a saga"); !refused.ok()) return refused;
  rocksdb::WriteBatch batch;
  const std::string open = OpenSagaPrefix(name);
  rocksdb::Status s = batch.Delete(db_.meta, SagaDefinitionMetaKey(name));
  if (s.ok()) s = batch.DeleteRange(db_.events, open, PrefixEnd(open));
  if (s.ok()) s = db_.db->Write(SyncWrite(), &batch);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("remove saga '", ToAbsl(name), "'"));
  MutexLock lock(&mu_);
  definitions_ = std::move(next);
  return absl::OkStatus();
}

std::vector<SagaDefinition> EventIndex::Definitions() const {
  return *Snapshot();
}

absl::StatusOr<EventIndex::SagaState> EventIndex::ReadSaga(const Liveness& live,
                                                           std::string_view saga_id,
                                                           const SagaDefinition& definition) const {
  const std::string prefix = EntryPrefix(EventIndexKind::kSaga, saga_id);
  RangeIterator it(db_, db_.events, prefix, PrefixEnd(prefix));
  SagaState state;
  size_t read = 0;
  for (it->SeekToFirst(); it->Valid() && read < kMaxSagaEntries; it->Next(), ++read) {
    std::optional<EntryPosition> at = DecodeEntryPosition(prefix, it->key().ToStringView());
    if (!at) continue;
    const TopicState* topic = live.Readable(*at);
    if (topic == nullptr) continue;
    IndexedEventFields fields;
    bool reference = false;
    if (absl::Status s = DecodeEntryValue(it->value().ToStringView(), &fields, &reference);
        !s.ok()) {
      return s;
    }
    if (reference) return absl::DataLossError("event index: a saga entry refers to another entry");
    // Dead-letter copies repeat an event; they say nothing about the saga's progress.
    if (!fields.dlq_kind.empty()) continue;
    if (Contains(definition.terminal_types, fields.type)) state.terminated = true;
    state.readable = true;
    fields.time_ms = at->time_ms;
    state.last_event = IndexedEvent{.topic = topic->info.name,
                                    .partition = at->partition,
                                    .offset = at->offset,
                                    .fields = std::move(fields)};
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "read a saga's index entries");
  return state;
}

absl::StatusOr<std::vector<OpenSaga>> EventIndex::ListStuck(std::string_view definition,
                                                            int64_t now_ms, size_t limit) const {
  if (limit == 0 || limit > kMaxEventQueryLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("stuck sagas: limit must be 1 to ", kMaxEventQueryLimit));
  }
  std::shared_ptr<const Definitions_> definitions = Snapshot();
  absl::flat_hash_map<std::string, const SagaDefinition*> by_name;
  for (const SagaDefinition& d : *definitions)
    by_name.emplace(d.name, &d);
  if (!definition.empty() && !by_name.contains(ToAbsl(definition))) {
    return absl::NotFoundError(absl::StrCat("no saga definition '", ToAbsl(definition), "'"));
  }
  struct Candidate {
    int64_t overdue_ms;
    int64_t started_ms;
    const SagaDefinition* definition;
    std::string saga_id;
  };
  std::vector<Candidate> candidates;
  const std::string begin =
      definition.empty() ? std::string(1, kOpenSagaKind) : OpenSagaPrefix(definition);
  {
    RangeIterator it(db_, db_.events, begin, PrefixEnd(begin));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<OpenSagaKeyParts> parts = DecodeOpenSagaKey(it->key().ToStringView());
      if (!parts) continue;
      auto d = by_name.find(ToAbsl(parts->definition));
      if (d == by_name.end()) continue;
      absl::StatusOr<int64_t> started = DecodeOpenSagaValue(it->value().ToStringView());
      if (!started.ok()) return started.status();
      const int64_t overdue = now_ms - *started - d->second->deadline_ms;
      if (overdue <= 0) continue;
      candidates.push_back({overdue, *started, d->second, std::string(parts->saga_id)});
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "list open sagas");
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.overdue_ms != b.overdue_ms ? a.overdue_ms > b.overdue_ms : a.saga_id < b.saga_id;
  });
  const Liveness live(registry_);
  std::vector<OpenSaga> stuck;
  for (Candidate& c : candidates) {
    if (stuck.size() == limit) break;
    absl::StatusOr<SagaState> state = ReadSaga(live, c.saga_id, *c.definition);
    if (!state.ok()) return state.status();
    if (!state->readable || state->terminated) continue;
    stuck.push_back(OpenSaga{.definition = c.definition->name,
                             .saga_id = std::move(c.saga_id),
                             .started_ms = c.started_ms,
                             .last_event = std::move(state->last_event)});
  }
  return stuck;
}

absl::StatusOr<std::vector<OpenSagaCount>> EventIndex::CountOpen(int64_t now_ms) const {
  std::shared_ptr<const Definitions_> definitions = Snapshot();
  std::vector<OpenSagaCount> counts;
  const Liveness live(registry_);
  for (const SagaDefinition& d : *definitions) {
    OpenSagaCount& count = counts.emplace_back();
    count.definition = d.name;
    const std::string begin = OpenSagaPrefix(d.name);
    RangeIterator it(db_, db_.events, begin, PrefixEnd(begin));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<OpenSagaKeyParts> parts = DecodeOpenSagaKey(it->key().ToStringView());
      if (!parts || parts->definition != d.name) continue;
      absl::StatusOr<int64_t> started = DecodeOpenSagaValue(it->value().ToStringView());
      if (!started.ok()) return started.status();
      ++count.open;
      if (now_ms - *started - d.deadline_ms <= 0) continue;
      // Only overdue sagas are checked against their events (the rare ones, normally).
      absl::StatusOr<SagaState> state = ReadSaga(live, parts->saga_id, d);
      if (!state.ok()) return state.status();
      if (!state->readable || state->terminated) {
        --count.open;
        continue;
      }
      ++count.stuck;
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "count open sagas");
  }
  return counts;
}

}  // namespace choreo::storage
