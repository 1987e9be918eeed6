#include "broker/handlers/event_index_wire.h"

#include <algorithm>

#include "broker/error_mapping.h"
#include "choreo/storage/errors.h"

namespace choreo::broker {

void ToWire(const storage::IndexedEvent& event, proto::IndexedEvent* out) {
  out->set_topic(event.topic);
  out->set_partition(event.partition);
  out->set_offset(event.offset);
  const storage::IndexedEventFields& f = event.fields;
  out->set_time_ms(f.time_ms);
  out->set_type(f.type);
  out->set_source(f.source);
  out->set_event_id(f.event_id);
  out->set_saga_id(f.saga_id);
  out->set_causation_id(f.causation_id);
  out->set_key(f.key);
  out->set_dlq_kind(f.dlq_kind);
}

void ToWire(const storage::SagaDefinition& definition, proto::SagaDefinition* out) {
  out->set_name(definition.name);
  for (const std::string& type : definition.start_types)
    out->add_start_types(type);
  for (const std::string& type : definition.terminal_types)
    out->add_terminal_types(type);
  out->set_deadline_ms(definition.deadline_ms);
}

storage::SagaDefinition FromWire(const proto::SagaDefinition& wire) {
  storage::SagaDefinition definition;
  definition.name = wire.name();
  definition.start_types.assign(wire.start_types().begin(), wire.start_types().end());
  definition.terminal_types.assign(wire.terminal_types().begin(), wire.terminal_types().end());
  definition.deadline_ms = wire.deadline_ms();
  return definition;
}

void SetIndexError(const absl::Status& status, proto::Error* error) {
  // Errors without a store kind read as kIoError; the index's argument errors carry none.
  const bool argument = absl::IsInvalidArgument(status) || absl::IsNotFound(status);
  if (argument && storage::StoreErrorKindOf(status) == storage::StoreErrorKind::kIoError) {
    error->set_code(proto::INVALID_REQUEST);
    error->set_message(std::string(status.message()));
    return;
  }
  SetError(status, error);
}

size_t QueryLimit(uint32_t requested, size_t fallback) {
  if (requested == 0) return fallback;
  return std::min<size_t>(requested, storage::kMaxEventQueryLimit);
}

}  // namespace choreo::broker
