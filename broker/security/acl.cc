#include "broker/security/acl.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

#include "broker/security/principal.h"

namespace choreo::broker {
namespace {

constexpr uint8_t kAclFormatVersion = 1;
constexpr size_t kAclHeaderBytes = 7;
constexpr size_t kMaxAclNameBytes = 1024;

bool NameMatches(const AclBinding& binding, std::string_view name) {
  if (binding.pattern == AclPattern::kPrefix)
    return name.substr(0, binding.name.size()) == binding.name;
  return binding.name == "*" || binding.name == name;
}

bool OperationMatches(const AclBinding& binding, AclOperation operation, bool allow) {
  if (binding.operation == AclOperation::kAll || binding.operation == operation) return true;
  // An allow of read, write, delete or alter implies describe; a deny of them does not deny it.
  return allow && operation == AclOperation::kDescribe &&
         (binding.operation == AclOperation::kRead || binding.operation == AclOperation::kWrite ||
          binding.operation == AclOperation::kDelete || binding.operation == AclOperation::kAlter);
}

}  // namespace

const char* AclOperationName(AclOperation operation) {
  switch (operation) {
    case AclOperation::kRead:
      return "read";
    case AclOperation::kWrite:
      return "write";
    case AclOperation::kCreate:
      return "create";
    case AclOperation::kDelete:
      return "delete";
    case AclOperation::kAlter:
      return "alter";
    case AclOperation::kDescribe:
      return "describe";
    case AclOperation::kAll:
      return "all";
  }
  return "unknown";
}

const char* AclResourceName(AclResource resource) {
  switch (resource) {
    case AclResource::kTopic:
      return "topic";
    case AclResource::kGroup:
      return "group";
    case AclResource::kCluster:
      return "cluster";
  }
  return "unknown";
}

absl::Status ValidateAcl(const AclBinding& binding) {
  if (binding.principal != kAnyPrincipal && !ValidPrincipal(binding.principal)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ACL principal '", binding.principal,
                     "' is neither '*' nor a principal (1-1024 printable characters)"));
  }
  const auto resource = static_cast<uint8_t>(binding.resource);
  if (resource < 1 || resource > 3) return absl::InvalidArgumentError("unknown ACL resource type");
  if (static_cast<uint8_t>(binding.pattern) > 1)
    return absl::InvalidArgumentError("unknown ACL pattern type");
  const auto operation = static_cast<uint8_t>(binding.operation);
  if (operation < 1 || operation > 7) return absl::InvalidArgumentError("unknown ACL operation");
  if (static_cast<uint8_t>(binding.permission) > 1)
    return absl::InvalidArgumentError("unknown ACL permission");
  if (binding.name.empty() || binding.name.size() > kMaxAclNameBytes) {
    return absl::InvalidArgumentError("an ACL's resource name must have 1 to 1024 bytes");
  }
  if (binding.resource == AclResource::kCluster &&
      (binding.name != kClusterResource || binding.pattern != AclPattern::kLiteral)) {
    return absl::InvalidArgumentError("the cluster resource is named 'cluster', literally");
  }
  return absl::OkStatus();
}

std::string EncodeAcl(const AclBinding& binding) {
  std::string out;
  out.push_back(static_cast<char>(kAclFormatVersion));
  out.push_back(static_cast<char>(binding.resource));
  out.push_back(static_cast<char>(binding.pattern));
  out.push_back(static_cast<char>(binding.operation));
  out.push_back(static_cast<char>(binding.permission));
  out.push_back(static_cast<char>((binding.principal.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(binding.principal.size() & 0xff));
  out.append(binding.principal);
  out.append(binding.name);
  return out;
}

absl::StatusOr<AclBinding> DecodeAcl(std::string_view key) {
  if (key.size() < kAclHeaderBytes || static_cast<uint8_t>(key[0]) != kAclFormatVersion) {
    return absl::DataLossError("a stored ACL has an unknown format version or is truncated");
  }
  AclBinding binding;
  binding.resource = static_cast<AclResource>(key[1]);
  binding.pattern = static_cast<AclPattern>(key[2]);
  binding.operation = static_cast<AclOperation>(key[3]);
  binding.permission = static_cast<AclPermission>(key[4]);
  const size_t principal_size =
      (static_cast<size_t>(static_cast<uint8_t>(key[5])) << 8) | static_cast<uint8_t>(key[6]);
  if (key.size() < kAclHeaderBytes + principal_size) {
    return absl::DataLossError("a stored ACL is truncated");
  }
  binding.principal = std::string(key.substr(kAclHeaderBytes, principal_size));
  binding.name = std::string(key.substr(kAclHeaderBytes + principal_size));
  if (absl::Status valid = ValidateAcl(binding); !valid.ok()) {
    return absl::DataLossError(absl::StrCat("a stored ACL is invalid: ", valid.message()));
  }
  return binding;
}

AclAuthorizer::AclAuthorizer(storage::LogStore& store, std::vector<std::string> super_users)
    : store_(store),
      super_users_(std::move(super_users)),
      bindings_(std::make_shared<const Snapshot>()) {}

absl::Status AclAuthorizer::Load() {
  absl::StatusOr<std::vector<storage::SecurityRecord>> records =
      store_.ListSecurityRecords(storage::SecurityRecordKind::kAcl);
  if (!records.ok()) return records.status();
  auto loaded = std::make_shared<Snapshot>();
  for (const storage::SecurityRecord& record : *records) {
    absl::StatusOr<AclBinding> binding = DecodeAcl(record.key);
    if (!binding.ok()) return binding.status();
    loaded->push_back(*std::move(binding));
  }
  MutexLock lock(&mu_);
  bindings_ = std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<const AclAuthorizer::Snapshot> AclAuthorizer::snapshot() const {
  MutexLock lock(&mu_);
  return bindings_;
}

bool AclAuthorizer::IsSuperUser(std::string_view principal) const {
  return std::find(super_users_.begin(), super_users_.end(), principal) != super_users_.end();
}

bool AclAuthorizer::Allowed(std::string_view principal, AclOperation operation,
                            AclResource resource, std::string_view name) const {
  if (IsSuperUser(principal)) return true;
  const std::shared_ptr<const Snapshot> bindings = snapshot();
  bool allowed = false;
  for (const AclBinding& binding : *bindings) {
    if (binding.resource != resource) continue;
    if (binding.principal != kAnyPrincipal && binding.principal != principal) continue;
    if (!NameMatches(binding, name)) continue;
    const bool allow = binding.permission == AclPermission::kAllow;
    if (!OperationMatches(binding, operation, allow)) continue;
    if (!allow) return false;  // deny wins
    allowed = true;
  }
  return allowed;
}

absl::Status AclAuthorizer::Add(const std::vector<AclBinding>& bindings) {
  for (const AclBinding& binding : bindings)
    if (absl::Status valid = ValidateAcl(binding); !valid.ok()) return valid;
  MutexLock change(&change_mu_);
  auto next = std::make_shared<Snapshot>(*snapshot());
  absl::Status status;
  for (const AclBinding& binding : bindings) {
    if (std::find(next->begin(), next->end(), binding) != next->end()) continue;
    status = store_.PutSecurityRecord(storage::SecurityRecordKind::kAcl, {EncodeAcl(binding), ""});
    if (!status.ok()) break;
    next->push_back(binding);
  }
  MutexLock lock(&mu_);
  bindings_ = std::move(next);
  return status;
}

absl::StatusOr<uint32_t> AclAuthorizer::Remove(const std::vector<AclBinding>& bindings) {
  MutexLock change(&change_mu_);
  auto next = std::make_shared<Snapshot>(*snapshot());
  uint32_t removed = 0;
  absl::Status status;
  for (const AclBinding& binding : bindings) {
    auto it = std::find(next->begin(), next->end(), binding);
    if (it == next->end()) continue;
    status = store_.DeleteSecurityRecord(storage::SecurityRecordKind::kAcl, EncodeAcl(binding));
    if (!status.ok()) break;
    next->erase(it);
    ++removed;
  }
  MutexLock lock(&mu_);
  bindings_ = std::move(next);
  if (!status.ok()) return status;
  return removed;
}

std::vector<AclBinding> AclAuthorizer::List(std::string_view principal) const {
  std::vector<AclBinding> out;
  for (const AclBinding& binding : *snapshot())
    if (principal.empty() || binding.principal == principal) out.push_back(binding);
  std::sort(out.begin(), out.end(),
            [](const AclBinding& a, const AclBinding& b) { return EncodeAcl(a) < EncodeAcl(b); });
  return out;
}

}  // namespace choreo::broker
