// SchemaRegistry: the broker's registry of event types (protobuf message types, by full name =
// the saga layer's ce_type) and their versions 1, 2, ... (ce_dataschema
// "urn:choreo:schema:<type>:v<version>"). A new version must be backward compatible with every
// registered version of its subject (schema_compat.h); versions are stored in the store's `meta`
// (LogStore::PutSchema) and kept in memory, so a produce to a topic with schema validation only
// asks LatestVersion() (no I/O).
//
// Lifecycle: constructed with the store, Load()ed once at start-up before the server accepts
// connections, then shared by every handler. Threading: every method is thread-safe.
// Register() writes to the store (blocking: call it on the blocking pool) and is serialized with
// other registrations; the const methods never block on I/O.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class Counter;

// Bounds, with clear errors (SchemaErrorKind::kLimit) when reached.
inline constexpr size_t kMaxSchemaSubjects = 10000;
inline constexpr uint32_t kMaxSchemaVersions = 1000;               // per subject
inline constexpr uint64_t kMaxSchemaRegistryBytes = 256ull << 20;  // all stored schemas
inline constexpr size_t kMaxSchemaTypesPerRequest = 1000;
// A descriptor set in a request: storage::kMaxSchemaBytes (1 MiB).

// The verdict on one message type of a descriptor set against the registry.
struct SchemaVerdict {
  std::string subject = {};
  // Register: the version it has now (new, or the identical one). Check: the version it would
  // get (the identical one if any).
  uint32_t version = 0;
  uint32_t latest_version = 0;     // before this call; 0: a new subject
  uint32_t identical_version = 0;  // the registered version with exactly this schema; 0: none
  bool registered = false;         // Register added `version`
  // Against every registered version, newest first, each "against vN: <what>"; empty:
  // compatible.
  std::vector<std::string> incompatibilities = {};
};

struct SchemaSubjectInfo {
  std::string subject = {};
  uint32_t latest_version = 0;
  int64_t registered_ms = 0;  // of the latest version
};

struct SchemaVersionInfo {
  storage::StoredSchema stored = {};    // subject, version, time, minimal FileDescriptorSet
  std::string definition = {};          // the .proto text of the message's file
  std::vector<uint32_t> versions = {};  // every version of the subject
};

class SchemaRegistry {
 public:
  // `store` is borrowed and must outlive the registry; so must `rejected_records` (the metric of
  // records refused by schema validation; null: not counted).
  explicit SchemaRegistry(storage::LogStore& store, Counter* rejected_records = nullptr);

  // Reads every stored version (one scan of `meta`). Errors: the store's, or DataLoss for a
  // stored schema that does not parse.
  absl::Status Load();

  // Registers each of `types` (empty: every top-level message of the set's last file) as a new
  // version of its subject, unless an identical version exists. All or nothing for
  // compatibility: when any type is incompatible nothing is registered and the status is
  // kIncompatible with every problem spelled out ("<type> v<N>: against v<M>: field 4 'amount'
  // changed type from int64 to string"). Errors: kInvalidSchema, kLimit, kIncompatible, the
  // store's.
  absl::StatusOr<std::vector<SchemaVerdict>> Register(std::string_view descriptor_set,
                                                      const std::vector<std::string>& types,
                                                      int64_t now_ms);
  // What Register would answer, without registering (incompatible types are verdicts, not an
  // error). Errors: kInvalidSchema.
  absl::StatusOr<std::vector<SchemaVerdict>> Check(std::string_view descriptor_set,
                                                   const std::vector<std::string>& types) const;

  // Every subject, by name.
  std::vector<SchemaSubjectInfo> List() const;
  // `version` 0: the latest. Errors: kUnknownSchema.
  absl::StatusOr<SchemaVersionInfo> Get(std::string_view subject, uint32_t version) const;
  // The latest registered version of `subject`, 0 if none: versions are dense, so version v is
  // registered exactly when 1 <= v <= LatestVersion(). Cheap (a shared lock and a lookup).
  uint32_t LatestVersion(std::string_view subject) const;
  // Counts records refused by schema validation (schema_validation.h).
  void CountRejected(uint64_t records) const;
  // The records counted so far (choreo_schema_rejected_records_total); 0 without a counter.
  uint64_t RejectedRecords() const;

 private:
  struct Subject {
    std::vector<storage::StoredSchema> versions;  // versions[i].version == i + 1
  };
  absl::StatusOr<std::vector<SchemaVerdict>> Judge(std::string_view descriptor_set,
                                                   const std::vector<std::string>& types,
                                                   std::vector<std::string>* minimal_sets) const;

  storage::LogStore& store_;
  Counter* const rejected_records_;
  Mutex register_mu_ CHOREO_ACQUIRED_BEFORE(mu_);  // serializes Register()
  mutable SharedMutex mu_;
  std::map<std::string, Subject, std::less<>> subjects_ CHOREO_GUARDED_BY(mu_);
  uint64_t stored_bytes_ CHOREO_GUARDED_BY(mu_) = 0;
};

}  // namespace choreo::broker
