// Conversions between the event index's store types and the wire (protocol minor 2), shared by
// the event-index handlers (find_events.cc, define_saga.cc, list_saga_definitions.cc,
// stuck_sagas.cc).
#pragma once

#include <absl/status/status.h>

#include "choreo/proto/choreo.pb.h"
#include "choreo/storage/event_index.h"

namespace choreo::broker {

void ToWire(const storage::IndexedEvent& event, proto::IndexedEvent* out);
void ToWire(const storage::SagaDefinition& definition, proto::SagaDefinition* out);
storage::SagaDefinition FromWire(const proto::SagaDefinition& wire);

// As SetError, except that the index's own argument errors (an invalid definition, an unknown
// definition, a bad page token) are INVALID_REQUEST rather than STORAGE_ERROR.
void SetIndexError(const absl::Status& status, proto::Error* error);

// A request's limit: 0 means `fallback`; anything above storage::kMaxEventQueryLimit is clamped.
size_t QueryLimit(uint32_t requested, size_t fallback = 100);

}  // namespace choreo::broker
