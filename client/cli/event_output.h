// How the `events` and `saga` commands print indexed events.
#pragma once

#include <cstdint>
#include <string>

#include "choreo/client/event_index.h"
#include "choreo/common/json_writer.h"

namespace choreo::cli {

// RFC 3339 UTC with milliseconds; "-" for 0 (no time).
std::string FormatEventTime(int64_t time_ms);

// "topic/partition@offset".
std::string EventLocation(const IndexedEvent& event);

// The event's fields as members of the JSON object being written: time (RFC 3339), time_ms,
// topic, partition, offset, type, source, event_id, saga_id, causation_id (null for none), key and
// dlq_kind (null for an original event).
void WriteEventFields(JsonWriter& json, const IndexedEvent& event);

}  // namespace choreo::cli
