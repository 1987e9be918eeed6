// The event index: where each enveloped record (a saga event) is, by saga id, event id, type and
// record key, plus the sagas that are open under a saga definition. Kept by LogStore in its own
// column family and written in the same RocksDB write as the batches it describes, so an event is
// in the index exactly when its record is in the log (storage/README.md, "Event index").
//
// The store does not read record headers: the broker extracts IndexedEventFields from each batch it
// accepts (BatchFields::events) and the store adds where the record landed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace choreo::storage {

// What the index keeps of one enveloped record. Every string is at most kMaxIndexedFieldBytes.
struct IndexedEventFields {
  // The record's offset minus its batch's base offset.
  uint32_t offset_delta = 0;
  int64_t time_ms = 0;        // ce_time, or the record timestamp
  std::string type = {};      // ce_type (never empty)
  std::string source = {};    // ce_source
  std::string event_id = {};  // ce_id (never empty)
  std::string saga_id = {};   // ce_correlationid ("" when absent: not indexed by saga)
  std::string causation_id = {};
  std::string key = {};       // the record key ("" : not indexed by key)
  std::string dlq_kind = {};  // choreo_dlq_kind header of dead-letter copies
};

inline constexpr size_t kMaxIndexedFieldBytes = 1024;

// An index entry resolved to its record's place.
struct IndexedEvent {
  std::string topic = {};
  uint32_t partition = 0;
  int64_t offset = 0;
  IndexedEventFields fields = {};  // offset_delta is 0
};

enum class EventIndexKind : uint8_t { kSaga = 's', kEventId = 'e', kType = 't', kKey = 'k' };

struct EventQuery {
  EventIndexKind by = EventIndexKind::kSaga;
  std::string value = {};
  int64_t since_ms = 0;    // only events with time_ms >= since_ms
  std::string topic = {};  // "" : every topic
  size_t limit = 100;      // 1 .. kMaxEventQueryLimit
  // Resume after the last event of a previous page (its EventPage::next_page_token).
  std::string page_token = {};
};

inline constexpr size_t kMaxEventQueryLimit = 10000;

struct EventPage {
  // In (time_ms, topic id, partition, offset) order. Only events whose record is readable: above
  // the partition's log start and below its high watermark, in a topic that still exists.
  std::vector<IndexedEvent> events = {};
  std::string next_page_token = {};  // empty when there is nothing more
};

// A saga definition (LogStore::DefineSaga). Names follow topic-name rules.
struct SagaDefinition {
  std::string name = {};
  // A saga opens with an event of one of these types; empty: with any event that has no causation
  // id (a saga's first event).
  std::vector<std::string> start_types = {};
  // ... and is closed by an event of one of these (at least one).
  std::vector<std::string> terminal_types = {};
  int64_t deadline_ms = 0;  // > 0
};

inline constexpr size_t kMaxSagaDefinitions = 100;
inline constexpr size_t kMaxSagaDefinitionTypes = 64;

// A saga opened under a definition and not (yet) closed.
struct OpenSaga {
  std::string definition = {};
  std::string saga_id = {};
  int64_t started_ms = 0;
  IndexedEvent last_event = {};  // its newest indexed event (by time)
};

struct OpenSagaCount {
  std::string definition = {};
  uint64_t open = 0;
  uint64_t stuck = 0;  // open for longer than the deadline, as of the `now_ms` asked about
};

}  // namespace choreo::storage
