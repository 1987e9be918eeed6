// The schema of a protobuf message as a serialized google.protobuf.FileDescriptorSet: its file and
// every file it imports, dependencies first (what `protoc --include_imports --descriptor_set_out`
// writes). Shared by the client, which sends it to the schema registry, and the broker, which
// keeps the minimal set of each registered type.
#pragma once

#include <string>

namespace google::protobuf {
class Descriptor;
}  // namespace google::protobuf

namespace choreo::proto {

std::string DescriptorSetOf(const google::protobuf::Descriptor& message);

}  // namespace choreo::proto
