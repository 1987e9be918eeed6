// Help texts of `choreo events ...` and `choreo saga ...` (usage.cc has the others).
#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kEvents =
    R"(usage: choreo events find (--saga ID | --event-id ID | --key K | --type T) [--since TIME]
                          [--topic T] [--limit N] [--format text|json]

Saga events (records with the CloudEvents envelope: ce_id, ce_type, ...) from the broker's event
index: answered from the index, never by scanning a topic. Topics are indexed unless created or
altered with --event-index off.
)";

constexpr std::string_view kEventsFind =
    R"(usage: choreo events find (--saga ID | --event-id ID | --key K | --type T) [--since TIME]
                          [--topic T] [--limit N] [--format text|json]

Prints the indexed events that match, oldest first, one tab-separated line each:
  TIME  EVENT  TYPE  SOURCE  EVENT_ID  SAGA  DLQ
EVENT is TOPIC/PARTITION@OFFSET; DLQ is dead or parked for a saga service's dead-letter copy of an
event (in its topic GROUP.dlq), '-' for the event itself. Give exactly one of:
  --saga ID        events of saga ID (ce_correlationid)
  --event-id ID    the event ID (ce_id) and its dead-letter copies
  --key K          events whose record key is K
  --type T         events of type T (ce_type), e.g. order.v1.OrderCreated
and optionally:
  --since TIME     only events at TIME or later (ce_time): RFC 3339 (2026-12-04T10:15:30Z) or a
                   duration ago (90s, 10m, 2h, 1d, 1h30m)
  --topic T        only events in topic T
  --limit N        print at most N events (default 100); a note on stderr says when more match
  --format json    one JSON document: {"events": [{"time", "time_ms", "topic", "partition",
                   "offset", "type", "source", "event_id", "saga_id", "causation_id", "key",
                   "dlq_kind"}, ...], "truncated": true|false}
)";

constexpr std::string_view kSaga = R"(usage: choreo saga show SAGA_ID [--format text|json]
       choreo saga define NAME --terminal T1,T2 --deadline DURATION [--start T3,T4]
       choreo saga undefine NAME
       choreo saga definitions [--format text|json]
       choreo saga stuck [--definition NAME] [--limit N] [--format text|json]

Where sagas are, from the broker's event index: one saga's timeline, and the sagas that passed
their definition's deadline without reaching a terminal event.
)";

constexpr std::string_view kSagaShow = R"(usage: choreo saga show SAGA_ID [--format text|json]

Prints a summary (the saga id, its events' count, topics and time span, its dead letters), then
the saga's indexed events in time order across all topics, one tab-separated line each:
  TIME  EVENT  TYPE  SOURCE  EVENT_ID  GROUPS
EVENT is TOPIC/PARTITION@OFFSET. GROUPS lists the consumer groups with a committed offset on that
partition as GROUP=STATE, STATE being:
  handled        the group's commit is past the event (or a saga service's commit marks it done)
  pending        not handled yet
  dead           the group dead-lettered the event (a copy is in GROUP.dlq)
  parked         the group parked it behind a dead letter of the saga
Then the causation tree: each event indented under the event that caused it (whose ce_id is its
ce_causationid); an event whose cause is not among the saga's indexed events is a root, marked
"[caused by ID: not found]"; a dead-lettered or parked event is marked "[dead-lettered in
TOPIC]" or "[parked in TOPIC]".
Last, the saga's dead-letter copies, one line each:
  TIME  EVENT  KIND  TYPE  SOURCE  EVENT_ID
Whether they were replayed or discarded since is for `choreo dlq show` to say.
  --format json    one JSON document: {"saga_id", "events": [{<the event's fields, as in
                   `choreo events find`>, "caused_by", "groups": [{"group", "state"}],
                   "dead_letters": [{"kind", "topic", "partition", "offset"}]}, ...],
                   "causation": [{"event_id", "children": [...]}, ...], "dead_letters": [...],
                   "truncated"}
Exit status 1 if the index has no event of the saga.
)";

constexpr std::string_view kSagaDefine =
    R"(usage: choreo saga define NAME --terminal T1,T2 --deadline DURATION [--start T3,T4]

Creates or replaces saga definition NAME in the broker (durably). A saga of this definition opens
with an event of a --start type (without --start: with any event that has no ce_causationid, a
saga's first event), ends with an event of a --terminal type, and is stuck once it has been open
longer than the deadline (see `choreo saga stuck`). It applies to events appended from now on.
  --terminal T1,T2     the event types (ce_type) that end a saga (required; repeatable)
  --deadline DURATION  how long a saga may stay open: 90s, 10m, 2h, 1d, 1h30m (required)
  --start T3,T4        the event types that open a saga (repeatable)
Example: choreo saga define order --terminal order.v1.OrderCompleted,order.v1.OrderCancelled \
             --deadline 10m --start order.v1.OrderCreated
)";

constexpr std::string_view kSagaUndefine = R"(usage: choreo saga undefine NAME

Removes saga definition NAME: its sagas are no longer counted or reported as stuck.
)";

constexpr std::string_view kSagaDefinitions =
    R"(usage: choreo saga definitions [--format text|json]

Prints one tab-separated line per saga definition, sorted by name:
  NAME  DEADLINE  START  TERMINAL
START is '-' when any first event opens a saga; type lists are joined by ','.
  --format json    one JSON document: {"definitions": [{"name", "start_types",
                   "terminal_types", "deadline_ms"}, ...]}
)";

constexpr std::string_view kSagaStuck =
    R"(usage: choreo saga stuck [--definition NAME] [--limit N] [--format text|json]

Prints the sagas open past their definition's deadline without a terminal event, longest overdue
first, one tab-separated line each:
  DEFINITION  SAGA  STARTED  LAST_EVENT  LAST_TIME  LAST_SOURCE  WAITING
LAST_EVENT, LAST_TIME and LAST_SOURCE are the type, time and source of the saga's newest event;
WAITING is how long ago that was. Then, after an empty line, per definition:
  DEFINITION  OPEN  STUCK
OPEN counts its open sagas (stuck ones included).
  --definition NAME  only sagas of definition NAME
  --limit N          at most N sagas (default 100, at most 10000)
  --format json      one JSON document: {"sagas": [{"definition", "saga_id", "started",
                     "started_ms", "waiting_ms", "last_event": {...}}, ...],
                     "counts": [{"definition", "open", "stuck"}, ...]}
)";

}  // namespace

std::optional<std::string> SagaUsageText(std::string_view topic) {
  if (topic == "events") return std::string(kEvents);
  if (topic == "events find") return std::string(kEventsFind);
  if (topic == "saga") return std::string(kSaga);
  if (topic == "saga show") return std::string(kSagaShow);
  if (topic == "saga define") return std::string(kSagaDefine);
  if (topic == "saga undefine") return std::string(kSagaUndefine);
  if (topic == "saga definitions") return std::string(kSagaDefinitions);
  if (topic == "saga stuck") return std::string(kSagaStuck);
  return std::nullopt;
}

}  // namespace choreo::cli
