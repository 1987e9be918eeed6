#include "broker/security/security.h"

#include <absl/strings/str_cat.h>

#include "broker/metrics/metrics.h"
#include "choreo/common/big_endian.h"

namespace choreo::broker {
namespace {

constexpr char kOwnerFormatVersion = 1;

std::string OwnerKey(int64_t producer_id) {
  std::string key(8, '\0');
  PutBigEndian64(key.data(), static_cast<uint64_t>(producer_id));
  return key;
}

}  // namespace

absl::StatusOr<AuthMode> ParseAuthMode(std::string_view text) {
  if (text == "none") return AuthMode::kNone;
  if (text == "sasl") return AuthMode::kSasl;
  if (text == "mtls") return AuthMode::kMtls;
  return absl::InvalidArgumentError(
      absl::StrCat("--auth must be none, sasl or mtls, not '", std::string(text), "'"));
}

absl::StatusOr<MtlsPrincipal> ParseMtlsPrincipal(std::string_view text) {
  if (text == "subject") return MtlsPrincipal::kSubject;
  if (text == "cn") return MtlsPrincipal::kCommonName;
  return absl::InvalidArgumentError(
      absl::StrCat("--mtls-principal must be subject or cn, not '", std::string(text), "'"));
}

absl::Status ProducerOwners::Load() {
  absl::StatusOr<std::vector<storage::SecurityRecord>> records =
      store_.ListSecurityRecords(storage::SecurityRecordKind::kProducerOwner);
  if (!records.ok()) return records.status();
  absl::flat_hash_map<int64_t, std::string> loaded;
  for (const storage::SecurityRecord& record : *records) {
    if (record.key.size() != 8 || record.value.empty() || record.value[0] != kOwnerFormatVersion) {
      return absl::DataLossError("a stored producer owner is malformed");
    }
    loaded[static_cast<int64_t>(GetBigEndian64(record.key.data()))] = record.value.substr(1);
  }
  MutexLock lock(&mu_);
  owners_ = std::move(loaded);
  return absl::OkStatus();
}

absl::Status ProducerOwners::Grant(int64_t producer_id, std::string_view principal) {
  std::string value(1, kOwnerFormatVersion);
  value.append(principal);
  absl::Status stored = store_.PutSecurityRecord(storage::SecurityRecordKind::kProducerOwner,
                                                 {OwnerKey(producer_id), std::move(value)});
  if (!stored.ok()) return stored;
  MutexLock lock(&mu_);
  owners_[producer_id] = std::string(principal);
  return absl::OkStatus();
}

std::optional<std::string> ProducerOwners::Owner(int64_t producer_id) const {
  MutexLock lock(&mu_);
  auto it = owners_.find(producer_id);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

Security::Security(storage::LogStore& store, MetricsRegistry& registry, Options options)
    : options_(std::move(options)),
      users_(store),
      acls_(store, options_.super_users),
      producers_(store),
      failures_(registry, options_.failure_limits) {
  for (int op = 1; op <= 7; ++op) {
    denials_[op] = registry.GetCounter("choreo_authorization_denials_total",
                                       "Requests or parts of requests an ACL denied", {"operation"},
                                       {AclOperationName(static_cast<AclOperation>(op))});
  }
}

absl::Status Security::Load() {
  if (absl::Status users = users_.Load(); !users.ok()) return users;
  if (absl::Status acls = acls_.Load(); !acls.ok()) return acls;
  return producers_.Load();
}

bool Security::Authorize(std::string_view principal, AclOperation operation, AclResource resource,
                         std::string_view name) {
  if (!enabled()) return true;
  if (acls_.Allowed(principal, operation, resource, name)) return true;
  CountDenial(operation);
  return false;
}

void Security::CountDenial(AclOperation operation) {
  denials_[static_cast<size_t>(operation)]->Increment();
}

}  // namespace choreo::broker
