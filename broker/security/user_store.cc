#include "broker/security/user_store.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

#include "broker/security/principal.h"
#include "choreo/common/big_endian.h"

namespace choreo::broker {
namespace {

constexpr uint8_t kCredentialFormatVersion = 1;
constexpr uint8_t kScramSha256 = 1;

}  // namespace

std::string EncodeCredential(const proto::scram::Credential& credential) {
  std::string out;
  out.push_back(static_cast<char>(kCredentialFormatVersion));
  out.push_back(static_cast<char>(kScramSha256));
  char iterations[4];
  PutBigEndian32(iterations, credential.iterations);
  out.append(iterations, 4);
  out.push_back(static_cast<char>(credential.salt.size()));
  out.append(credential.salt);
  out.append(credential.stored_key);
  out.append(credential.server_key);
  return out;
}

absl::StatusOr<proto::scram::Credential> DecodeCredential(std::string_view value) {
  constexpr size_t kKey = proto::scram::kKeyBytes;
  if (value.size() < 7 || static_cast<uint8_t>(value[0]) != kCredentialFormatVersion ||
      static_cast<uint8_t>(value[1]) != kScramSha256) {
    return absl::DataLossError("a stored credential has an unknown version or mechanism");
  }
  proto::scram::Credential credential;
  credential.iterations = GetBigEndian32(value.data() + 2);
  const size_t salt = static_cast<uint8_t>(value[6]);
  if (value.size() < 7 + salt + 2 * kKey) {
    return absl::DataLossError("a stored credential is truncated");
  }
  credential.salt = std::string(value.substr(7, salt));
  credential.stored_key = std::string(value.substr(7 + salt, kKey));
  credential.server_key = std::string(value.substr(7 + salt + kKey, kKey));
  return credential;
}

absl::Status UserStore::Load() {
  absl::StatusOr<std::vector<storage::SecurityRecord>> records =
      store_.ListSecurityRecords(storage::SecurityRecordKind::kUser);
  if (!records.ok()) return records.status();
  absl::flat_hash_map<std::string, proto::scram::Credential> loaded;
  for (const storage::SecurityRecord& record : *records) {
    absl::StatusOr<proto::scram::Credential> credential = DecodeCredential(record.value);
    if (!credential.ok()) return credential.status();
    loaded[record.key] = *std::move(credential);
  }
  MutexLock lock(&mu_);
  users_ = std::move(loaded);
  return absl::OkStatus();
}

std::optional<proto::scram::Credential> UserStore::Find(std::string_view name) const {
  MutexLock lock(&mu_);
  auto it = users_.find(std::string(name));
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

absl::Status UserStore::Upsert(std::string_view name, const proto::scram::Credential& credential) {
  if (!ValidUserName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "user name '", std::string(name), "' must be 1-255 characters of [A-Za-z0-9._@-]"));
  }
  if (!proto::scram::ValidCredential(credential)) {
    return absl::InvalidArgumentError(
        "the credential needs a salt of 16-255 bytes, 4096 to 1048576 iterations and 32-byte "
        "keys");
  }
  MutexLock change(&change_mu_);
  absl::Status stored = store_.PutSecurityRecord(storage::SecurityRecordKind::kUser,
                                                 {std::string(name), EncodeCredential(credential)});
  if (!stored.ok()) return stored;
  MutexLock lock(&mu_);
  users_[std::string(name)] = credential;
  return absl::OkStatus();
}

absl::Status UserStore::Remove(std::string_view name) {
  MutexLock change(&change_mu_);
  {
    MutexLock lock(&mu_);
    if (!users_.contains(std::string(name))) {
      return absl::NotFoundError(absl::StrCat("no user named '", std::string(name), "'"));
    }
  }
  absl::Status removed = store_.DeleteSecurityRecord(storage::SecurityRecordKind::kUser, name);
  if (!removed.ok()) return removed;
  MutexLock lock(&mu_);
  users_.erase(std::string(name));
  return absl::OkStatus();
}

std::vector<UserStore::User> UserStore::List() const {
  std::vector<User> out;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, credential] : users_)
      out.push_back({name, credential.iterations});
  }
  std::sort(out.begin(), out.end(), [](const User& a, const User& b) { return a.name < b.name; });
  return out;
}

}  // namespace choreo::broker
