// Types of the broker's event index and saga definitions (Admin::FindEvents, Admin::DefineSaga,
// Admin::FindStuckSagas; protocol 1.2).
//
// The broker indexes every record that carries the saga envelope (CloudEvents headers ce_id,
// ce_type, ce_specversion; see choreo/saga/envelope.h) in topics whose event index is on: by saga
// id (ce_correlationid), event id (ce_id), event type (ce_type) and record key. A query is answered
// from the index, never by scanning a topic. Dead-letter copies written by a saga service are
// indexed too (IndexedEvent::dlq_kind says which they are).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace choreo {

// Whether the broker indexes a topic's enveloped records (TopicSettings::event_index).
enum class EventIndexMode {
  kDefault,  // at creation: on; in a description: the broker did not say (a broker before 1.2)
  kOn,
  kOff,
};

// An enveloped record as the index holds it.
struct IndexedEvent {
  std::string topic = {};
  uint32_t partition = 0;
  int64_t offset = 0;
  int64_t time_ms = 0;            // ce_time (ms since the epoch); the record timestamp without one
  std::string type = {};          // ce_type
  std::string source = {};        // ce_source
  std::string event_id = {};      // ce_id
  std::string saga_id = {};       // ce_correlationid; empty when absent
  std::string causation_id = {};  // ce_causationid; empty on a saga's first event
  std::string key = {};           // the record key (bytes)
  std::string dlq_kind = {};      // "dead" or "parked" on a dead-letter copy, else empty
};

// Which index a query reads.
enum class EventLookup {
  kSaga,     // ce_correlationid
  kEventId,  // ce_id
  kType,     // ce_type
  kKey,      // the record key
};

struct EventQuery {
  EventLookup by = EventLookup::kSaga;
  std::string value = {};  // the saga id, event id, type or key looked up (non-empty)
  int64_t since_ms = 0;    // only events with time_ms >= since_ms; 0: all
  std::string topic = {};  // only events in this topic; empty: every topic
  // Events per page, 1..10000; 0 means the broker's default (100).
  uint32_t limit = 0;
  // Where to resume: a previous page's next_page_token; empty for the first page.
  std::string page_token = {};
};

struct EventPage {
  // By time, then topic, partition and offset. Only events whose record is still readable.
  std::vector<IndexedEvent> events = {};
  std::string next_page_token = {};  // empty when nothing more matches
};

// Which sagas the broker counts as open and when one is stuck: a saga of this definition opens
// with an event of one of `start_types` (with any event that has no causation id when empty),
// ends with an event of one of `terminal_types`, and is stuck once it has been open longer than
// `deadline_ms`.
struct SagaDefinition {
  std::string name = {};                      // topic-name rules: [a-zA-Z0-9._-], 1..249 characters
  std::vector<std::string> start_types = {};  // at most 64
  std::vector<std::string> terminal_types = {};  // 1..64
  int64_t deadline_ms = 0;                       // > 0
};

// A saga open past its definition's deadline.
struct StuckSaga {
  std::string definition = {};
  std::string saga_id = {};
  int64_t started_ms = 0;        // time of the event that opened it
  IndexedEvent last_event = {};  // its newest indexed event
  int64_t waiting_ms = 0;        // how long since last_event (as of the broker's clock)
};

// Open and stuck sagas of one definition (stuck ones are counted as open too).
struct SagaCounts {
  std::string definition = {};
  uint64_t open = 0;
  uint64_t stuck = 0;
};

struct StuckSagas {
  std::vector<StuckSaga> sagas = {};    // longest overdue first, at most the limit asked for
  std::vector<SagaCounts> counts = {};  // one per definition asked about
};

}  // namespace choreo
