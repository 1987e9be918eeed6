// What the store keeps of the schema registry (broker/schema/): one value per registered version
// of an event type, in the `meta` column family under key type 'Y' (storage/README.md).
//
// The store knows nothing of protobuf: a version's schema is opaque bytes (a serialized
// FileDescriptorSet, which the broker parses and checks for compatibility). The broker decides
// which versions exist and in what order; the store only writes and lists them.
#pragma once

#include <cstdint>
#include <string>

namespace choreo::storage {

// Subjects are protobuf full message names: 1 to kMaxSchemaSubjectLength bytes of
// [A-Za-z0-9_.].
inline constexpr size_t kMaxSchemaSubjectLength = 255;
// The largest schema (FileDescriptorSet bytes) the store accepts: 1 MiB.
inline constexpr size_t kMaxSchemaBytes = 1u << 20;

struct StoredSchema {
  std::string subject = {};
  uint32_t version = 0;       // 1, 2, ...
  int64_t registered_ms = 0;  // ms since the Unix epoch
  std::string schema = {};    // opaque to the store
};

}  // namespace choreo::storage
