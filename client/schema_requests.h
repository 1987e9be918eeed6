// The schema-registry operations behind Admin (protocol 1.3), as functions over a connection so
// admin.cc stays a thin facade (like event_index_requests.h). Each fails with
// kUnsupportedVersion, sending nothing, when the broker is older than 1.3.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/schema.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

using proto::kSchemaRegistryMinor;

Result<std::vector<SchemaVerdict>> RegisterSchema(Connection& connection,
                                                  std::string_view descriptor_set,
                                                  const std::vector<std::string>& types,
                                                  std::chrono::milliseconds timeout);
Result<std::vector<SchemaVerdict>> CheckSchema(Connection& connection,
                                               std::string_view descriptor_set,
                                               const std::vector<std::string>& types,
                                               std::chrono::milliseconds timeout);
Result<std::vector<SchemaSubject>> ListSchemas(Connection& connection,
                                               std::chrono::milliseconds timeout);
Result<SchemaVersion> GetSchema(Connection& connection, std::string_view subject, uint32_t version,
                                std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
