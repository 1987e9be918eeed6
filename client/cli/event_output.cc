#include "client/cli/event_output.h"

#include "choreo/saga/envelope.h"

namespace choreo::cli {

std::string FormatEventTime(int64_t time_ms) {
  return time_ms == 0 ? "-" : saga::FormatRfc3339(time_ms);
}

std::string EventLocation(const IndexedEvent& event) {
  return event.topic + "/" + std::to_string(event.partition) + "@" + std::to_string(event.offset);
}

void WriteEventFields(JsonWriter& json, const IndexedEvent& event) {
  json.Key("time").String(FormatEventTime(event.time_ms)).Key("time_ms").Int(event.time_ms);
  json.Key("topic").String(event.topic).Key("partition").Int(event.partition);
  json.Key("offset").Int(event.offset);
  json.Key("type").String(event.type).Key("source").String(event.source);
  json.Key("event_id").String(event.event_id).Key("saga_id").String(event.saga_id);
  json.Key("causation_id");
  if (event.causation_id.empty()) {
    json.Null();
  } else {
    json.String(event.causation_id);
  }
  json.Key("key").String(event.key).Key("dlq_kind");
  if (event.dlq_kind.empty()) {
    json.Null();
  } else {
    json.String(event.dlq_kind);
  }
}

}  // namespace choreo::cli
