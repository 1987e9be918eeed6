// What the store keeps for the broker's security (broker/security/): users, ACLs and the owners
// of producer ids, in the `meta` column family (storage/README.md, key types 'U', 'A', 'O').
//
// The store knows nothing of SCRAM or ACL semantics: a record is a key (unique within its kind)
// and opaque value bytes, which the broker encodes with its own format version byte. The store
// adds a value version byte of its own, like every `meta` value.
#pragma once

#include <cstdint>
#include <string>

namespace choreo::storage {

// The kinds of security records; the value is the record's `meta` key type byte (never reuse one).
enum class SecurityRecordKind : char {
  kUser = 'U',           // key: user name
  kAcl = 'A',            // key: the encoded ACL binding (value empty)
  kProducerOwner = 'O',  // key: producer id (u64 BE); value: the principal it was granted to
};

// Longest key and value the store accepts: 4 KiB each.
inline constexpr size_t kMaxSecurityKeyBytes = 4096;
inline constexpr size_t kMaxSecurityValueBytes = 4096;

struct SecurityRecord {
  std::string key = {};
  std::string value = {};
};

}  // namespace choreo::storage
