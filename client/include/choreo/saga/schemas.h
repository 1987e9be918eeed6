// The saga layer and the broker's schema registry (choreo/client/schema.h): checking that the
// protobuf message types a service handles and publishes are compatible with their registered
// versions, so that a service built against an incompatible schema fails at start-up, with the
// incompatibility spelled out, instead of corrupting or refusing events later.
#pragma once

#include <string>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/status.h"

namespace google::protobuf {
class Descriptor;
}  // namespace google::protobuf

namespace choreo::saga {

// The serialized FileDescriptorSet of `message`: its file and every file that file imports
// (imports first), as Admin::RegisterSchema and CheckSchema take it.
std::string DescriptorSetOf(const google::protobuf::Descriptor& message);

// Checks each type against the registry (one CheckSchema request per type):
//  - identical to a registered version, or not registered: OK (registered as version 1 when
//    `register_new`);
//  - compatible with every registered version but not identical: OK (registered as the next
//    version when `register_new`);
//  - otherwise kIncompatibleSchema naming the type and every problem, e.g.
//    "order.v1.OrderCreated is incompatible with the schema registry: against v2: field 4
//    'amount' changed type from int64 to string".
// A broker older than protocol 1.3 (no registry) is not checked: OK. Other errors: the
// connection's (kConnectionFailed, kTimeout, ...).
Status CheckSchemas(const ClientOptions& client,
                    const std::vector<const google::protobuf::Descriptor*>& types,
                    bool register_new = false);

}  // namespace choreo::saga
