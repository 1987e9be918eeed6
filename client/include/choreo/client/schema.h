// The schema registry as the client sees it (Admin::RegisterSchema and friends; protocol 1.3).
//
// A subject is a protobuf message type's full name, which is the saga layer's ce_type; its
// versions are 1, 2, ... (the saga layer's ce_dataschema "urn:choreo:schema:<type>:v<N>"). A new
// version must be backward compatible with every registered version of its subject (README.md,
// "Event contracts: the schema registry"). Schemas travel as serialized
// google.protobuf.FileDescriptorSet bytes holding the message's file and every file it imports
// (`protoc --include_imports --descriptor_set_out=FILE`, or DescriptorSetOf() in the saga layer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace choreo {

// The broker's verdict on one message type of a descriptor set.
struct SchemaVerdict {
  std::string subject;
  // RegisterSchema: the version the type has now (new, or an identical existing one).
  // CheckSchema: the version it would get.
  uint32_t version = 0;
  uint32_t latest_version = 0;     // before the call; 0: the subject was not registered
  uint32_t identical_version = 0;  // the registered version with exactly this schema; 0: none
  bool registered = false;         // RegisterSchema added `version`
  // Each "against vN: <what>", e.g. "against v2: field 4 'amount' changed type from int64 to
  // string"; empty: compatible with every registered version.
  std::vector<std::string> incompatibilities;

  bool compatible() const { return incompatibilities.empty(); }
};

struct SchemaSubject {
  std::string subject;
  uint32_t latest_version = 0;
  int64_t registered_ms = 0;  // of the latest version
};

struct SchemaVersion {
  std::string subject;
  uint32_t version = 0;
  int64_t registered_ms = 0;
  std::string descriptor_set;      // the message's file and its imports
  std::string definition;          // the message's file as .proto text
  std::vector<uint32_t> versions;  // every version of the subject
};

// "order.v1.OrderCreated v3: compatible (new version)", or with the incompatibilities, one per
// line ("order.v1.OrderCreated v3: INCOMPATIBLE\n  against v2: field 4 ..."). For tools.
std::string DescribeVerdict(const SchemaVerdict& verdict);

}  // namespace choreo
