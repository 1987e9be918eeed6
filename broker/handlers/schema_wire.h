// Conversions between the schema registry (broker/schema/) and its wire messages.
#pragma once

#include <string>
#include <vector>

#include "broker/schema/schema_registry.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

void ToWire(const SchemaVerdict& verdict, proto::SchemaVerdict* out);
std::vector<std::string> TypesOf(const google::protobuf::RepeatedPtrField<std::string>& types);

}  // namespace choreo::broker
