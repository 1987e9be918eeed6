#include "broker/schema/schema_registry.h"

#include <google/protobuf/descriptor.h>

#include <memory>
#include <set>

#include "broker/metrics/metrics.h"
#include "broker/schema/schema_compat.h"
#include "broker/schema/schema_errors.h"
#include "broker/schema/schema_set.h"

namespace choreo::broker {
namespace {

std::string Versioned(const std::string& subject, uint32_t version) {
  return subject + " v" + std::to_string(version);
}

}  // namespace

SchemaRegistry::SchemaRegistry(storage::LogStore& store, Counter* rejected_records)
    : store_(store), rejected_records_(rejected_records) {}

void SchemaRegistry::CountRejected(uint64_t records) const {
  if (rejected_records_ != nullptr) rejected_records_->Increment(records);
}

uint64_t SchemaRegistry::RejectedRecords() const {
  return rejected_records_ == nullptr ? 0 : rejected_records_->value();
}

absl::Status SchemaRegistry::Load() {
  absl::StatusOr<std::vector<storage::StoredSchema>> stored = store_.ListSchemas();
  if (!stored.ok()) return stored.status();
  WriterMutexLock lock(&mu_);
  subjects_.clear();
  stored_bytes_ = 0;
  for (storage::StoredSchema& schema : *stored) {
    Subject& subject = subjects_[schema.subject];
    // Versions are written densely from 1 and listed in order; anything else is damage.
    if (schema.version != subject.versions.size() + 1) {
      return absl::DataLossError("stored schema " + Versioned(schema.subject, schema.version) +
                                 " follows v" + std::to_string(subject.versions.size()));
    }
    stored_bytes_ += schema.schema.size();
    subject.versions.push_back(std::move(schema));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SchemaVerdict>> SchemaRegistry::Judge(
    std::string_view descriptor_set, const std::vector<std::string>& types,
    std::vector<std::string>* minimal_sets) const {
  if (descriptor_set.size() > storage::kMaxSchemaBytes) {
    return MakeSchemaError(SchemaErrorKind::kLimit, "descriptor set of " +
                                                        std::to_string(descriptor_set.size()) +
                                                        " bytes exceeds the limit of " +
                                                        std::to_string(storage::kMaxSchemaBytes));
  }
  if (types.size() > kMaxSchemaTypesPerRequest) {
    return MakeSchemaError(
        SchemaErrorKind::kLimit,
        "at most " + std::to_string(kMaxSchemaTypesPerRequest) + " types per request");
  }
  absl::StatusOr<std::unique_ptr<SchemaSet>> set = SchemaSet::Parse(descriptor_set);
  if (!set.ok()) return set.status();
  std::vector<std::string> names = types.empty() ? (*set)->DefaultTypes() : types;
  if (names.empty()) {
    return MakeSchemaError(SchemaErrorKind::kInvalidSchema, "the schema defines no message type");
  }
  std::vector<SchemaVerdict> verdicts;
  std::set<std::string> seen;
  ReaderMutexLock lock(&mu_);
  for (const std::string& name : names) {
    if (!seen.insert(name).second) continue;
    absl::StatusOr<const google::protobuf::Descriptor*> message = (*set)->Find(name);
    if (!message.ok()) return message.status();
    SchemaVerdict& verdict = verdicts.emplace_back();
    verdict.subject = name;
    if (minimal_sets != nullptr) minimal_sets->push_back(SchemaSet::MinimalSet(**message));
    auto subject = subjects_.find(name);
    if (subject == subjects_.end()) {
      verdict.version = 1;
      continue;
    }
    const std::vector<storage::StoredSchema>& versions = subject->second.versions;
    verdict.latest_version = static_cast<uint32_t>(versions.size());
    const std::string shape = MessageShape(**message);
    std::set<std::string> problems;  // the same problem against several versions: once
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      absl::StatusOr<std::unique_ptr<SchemaSet>> old_set = SchemaSet::Parse(it->schema);
      if (!old_set.ok()) {
        return absl::DataLossError("stored schema " + Versioned(name, it->version) +
                                   " does not parse: " + std::string(old_set.status().message()));
      }
      absl::StatusOr<const google::protobuf::Descriptor*> old = (*old_set)->Find(name);
      if (!old.ok())
        return absl::DataLossError("stored schema " + Versioned(name, it->version) +
                                   " lacks its message type");
      if (MessageShape(**old) == shape) {
        verdict.identical_version = it->version;
        verdict.incompatibilities.clear();
        break;
      }
      for (std::string& problem : FindIncompatibilities(**old, **message)) {
        if (problems.insert(problem).second) {
          verdict.incompatibilities.push_back("against v" + std::to_string(it->version) + ": " +
                                              problem);
        }
      }
    }
    verdict.version =
        verdict.identical_version != 0 ? verdict.identical_version : verdict.latest_version + 1;
  }
  return verdicts;
}

absl::StatusOr<std::vector<SchemaVerdict>> SchemaRegistry::Check(
    std::string_view descriptor_set, const std::vector<std::string>& types) const {
  return Judge(descriptor_set, types, nullptr);
}

absl::StatusOr<std::vector<SchemaVerdict>> SchemaRegistry::Register(
    std::string_view descriptor_set, const std::vector<std::string>& types, int64_t now_ms) {
  MutexLock serialized(&register_mu_);
  std::vector<std::string> minimal_sets;
  absl::StatusOr<std::vector<SchemaVerdict>> verdicts = Judge(descriptor_set, types, &minimal_sets);
  if (!verdicts.ok()) return verdicts.status();
  std::string refused;
  for (const SchemaVerdict& v : *verdicts) {
    for (const std::string& problem : v.incompatibilities)
      refused += (refused.empty() ? "" : "; ") + Versioned(v.subject, v.version) + ": " + problem;
  }
  if (!refused.empty()) {
    return MakeSchemaError(SchemaErrorKind::kIncompatible,
                           "incompatible schema, nothing registered: " + refused);
  }
  {
    ReaderMutexLock lock(&mu_);
    size_t new_subjects = 0;
    uint64_t new_bytes = 0;
    for (size_t i = 0; i < verdicts->size(); ++i) {
      const SchemaVerdict& v = (*verdicts)[i];
      if (v.identical_version != 0) continue;
      if (v.latest_version == 0) ++new_subjects;
      if (v.version > kMaxSchemaVersions) {
        return MakeSchemaError(SchemaErrorKind::kLimit,
                               v.subject + " has " + std::to_string(kMaxSchemaVersions) +
                                   " versions, the most a subject may have");
      }
      new_bytes += minimal_sets[i].size();
    }
    if (subjects_.size() + new_subjects > kMaxSchemaSubjects) {
      return MakeSchemaError(SchemaErrorKind::kLimit,
                             "the registry holds " + std::to_string(subjects_.size()) +
                                 " subjects; at most " + std::to_string(kMaxSchemaSubjects));
    }
    if (stored_bytes_ + new_bytes > kMaxSchemaRegistryBytes) {
      return MakeSchemaError(SchemaErrorKind::kLimit, "the registry's schemas would exceed " +
                                                          std::to_string(kMaxSchemaRegistryBytes) +
                                                          " bytes");
    }
  }
  // Each version is durable before it becomes visible; if a write fails, the versions written
  // before it stay registered (each is complete on its own).
  for (size_t i = 0; i < verdicts->size(); ++i) {
    SchemaVerdict& v = (*verdicts)[i];
    if (v.identical_version != 0) continue;
    storage::StoredSchema stored{.subject = v.subject,
                                 .version = v.version,
                                 .registered_ms = now_ms,
                                 .schema = std::move(minimal_sets[i])};
    if (absl::Status s = store_.PutSchema(stored); !s.ok()) return s;
    WriterMutexLock lock(&mu_);
    stored_bytes_ += stored.schema.size();
    subjects_[v.subject].versions.push_back(std::move(stored));
    v.registered = true;
  }
  return verdicts;
}

std::vector<SchemaSubjectInfo> SchemaRegistry::List() const {
  ReaderMutexLock lock(&mu_);
  std::vector<SchemaSubjectInfo> out;
  out.reserve(subjects_.size());
  for (const auto& [name, subject] : subjects_) {
    out.push_back({.subject = name,
                   .latest_version = static_cast<uint32_t>(subject.versions.size()),
                   .registered_ms = subject.versions.back().registered_ms});
  }
  return out;
}

absl::StatusOr<SchemaVersionInfo> SchemaRegistry::Get(std::string_view subject,
                                                      uint32_t version) const {
  SchemaVersionInfo info;
  {
    ReaderMutexLock lock(&mu_);
    auto it = subjects_.find(subject);
    if (it == subjects_.end()) {
      return MakeSchemaError(SchemaErrorKind::kUnknownSchema,
                             "no schema registered for " + std::string(subject));
    }
    const std::vector<storage::StoredSchema>& versions = it->second.versions;
    if (version == 0) version = static_cast<uint32_t>(versions.size());
    if (version > versions.size()) {
      return MakeSchemaError(SchemaErrorKind::kUnknownSchema,
                             std::string(subject) + " has no version " + std::to_string(version) +
                                 " (latest: v" + std::to_string(versions.size()) + ")");
    }
    info.stored = versions[version - 1];
    for (const storage::StoredSchema& v : versions)
      info.versions.push_back(v.version);
  }
  absl::StatusOr<std::unique_ptr<SchemaSet>> set = SchemaSet::Parse(info.stored.schema);
  if (set.ok()) {
    absl::StatusOr<const google::protobuf::Descriptor*> message = (*set)->Find(subject);
    if (message.ok()) info.definition = SchemaSet::Definition(**message);
  }
  return info;
}

uint32_t SchemaRegistry::LatestVersion(std::string_view subject) const {
  ReaderMutexLock lock(&mu_);
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? 0 : static_cast<uint32_t>(it->second.versions.size());
}

}  // namespace choreo::broker
