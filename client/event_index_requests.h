// The event-index and saga-definition operations behind Admin (protocol 1.2), as functions over a
// connection so admin.cc stays a thin facade (like consumer/group_admin.h).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "choreo/client/event_index.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

using proto::kEventIndexMinor;

// OK if the broker speaks protocol 1.2 or later; else kUnsupportedVersion naming `what`.
Status RequireEventIndex(const Connection& connection, std::string_view what);

Result<EventPage> FindEvents(Connection& connection, const EventQuery& query,
                             std::chrono::milliseconds timeout);
Status DefineSaga(Connection& connection, const SagaDefinition& definition,
                  std::chrono::milliseconds timeout);
Status RemoveSagaDefinition(Connection& connection, const std::string& name,
                            std::chrono::milliseconds timeout);
Result<std::vector<SagaDefinition>> ListSagaDefinitions(Connection& connection,
                                                        std::chrono::milliseconds timeout);
Result<StuckSagas> FindStuckSagas(Connection& connection, const std::string& definition,
                                  uint32_t limit, std::chrono::milliseconds timeout);

// Wire conversions, exposed for tests.
IndexedEvent FromProto(const proto::IndexedEvent& event);
SagaDefinition FromProto(const proto::SagaDefinition& definition);
void ToProto(const SagaDefinition& definition, proto::SagaDefinition* out);

}  // namespace choreo::client_internal
