// UserStore: the users SCRAM-SHA-256 and PLAIN authenticate against, with their salted, iterated
// credentials (never a password), in memory for the handshake path and in the store (`meta` 'U'
// records) so they survive a restart. Changes take effect on the next authentication; connections
// already authenticated keep their principal.
//
// Stored value: version u8 (1) | mechanism u8 (1: SCRAM-SHA-256) | iterations u32 BE |
// salt length u8 | salt | StoredKey (32 bytes) | ServerKey (32 bytes).
//
// Threading: thread-safe. Upsert/Remove write to the store (synced): call them off the network
// threads.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/proto/scram.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

std::string EncodeCredential(const proto::scram::Credential& credential);
// Errors: DataLoss.
absl::StatusOr<proto::scram::Credential> DecodeCredential(std::string_view value);

class UserStore {
 public:
  struct User {
    std::string name;
    uint32_t iterations = 0;
  };

  // `store` is borrowed and must outlive this object.
  explicit UserStore(storage::LogStore& store) : store_(store) {}

  // Loads the stored users (start-up). Errors: the store's, DataLoss.
  absl::Status Load() CHOREO_EXCLUDES(mu_);

  std::optional<proto::scram::Credential> Find(std::string_view name) const CHOREO_EXCLUDES(mu_);
  // Creates the user or replaces its credential. Errors: InvalidArgument (name, credential), the
  // store's.
  absl::Status Upsert(std::string_view name, const proto::scram::Credential& credential)
      CHOREO_EXCLUDES(mu_);
  // Errors: NotFound, the store's.
  absl::Status Remove(std::string_view name) CHOREO_EXCLUDES(mu_);
  // Sorted by name.
  std::vector<User> List() const CHOREO_EXCLUDES(mu_);

 private:
  storage::LogStore& store_;
  Mutex change_mu_;  // serializes Upsert/Remove (store write, then memory); before mu_
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, proto::scram::Credential> users_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
