// Security: the broker's authentication and authorization services, owned by the Broker and
// shared by every connection of every listener (README "Authentication and ACLs"):
//
//   - the mode (--auth): none (everything allowed, as before security existed), sasl
//     (SCRAM-SHA-256, and PLAIN over TLS), mtls (the client certificate's principal);
//   - users (UserStore), ACLs (AclAuthorizer) and producer-id owners (ProducerOwners), loaded from
//     the store at start-up;
//   - failed authentications (AuthFailures) and denials (choreo_authorization_denials_total
//     {operation}).
//
// Threading: thread-safe. Lifecycle: Load() once before the listeners start.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/security/acl.h"
#include "broker/security/auth_failures.h"
#include "broker/security/principal.h"
#include "broker/security/user_store.h"
#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class Counter;
class MetricsRegistry;

enum class AuthMode { kNone, kSasl, kMtls };

// Parses --auth and --mtls-principal. Errors: InvalidArgument.
absl::StatusOr<AuthMode> ParseAuthMode(std::string_view text);
absl::StatusOr<MtlsPrincipal> ParseMtlsPrincipal(std::string_view text);

// Which principal each idempotent producer id was granted to, in memory and in the store (`meta`
// 'O' records: producer id u64 BE -> version u8 (1) | principal), so that only that principal can
// use the id, across restarts. Only ids granted while authentication is on have an owner.
class ProducerOwners {
 public:
  explicit ProducerOwners(storage::LogStore& store) : store_(store) {}
  absl::Status Load() CHOREO_EXCLUDES(mu_);
  // Stores the owner (synced; call off the network threads). Errors: the store's.
  absl::Status Grant(int64_t producer_id, std::string_view principal) CHOREO_EXCLUDES(mu_);
  // nullopt: no owner recorded.
  std::optional<std::string> Owner(int64_t producer_id) const CHOREO_EXCLUDES(mu_);

 private:
  storage::LogStore& store_;
  mutable Mutex mu_;
  absl::flat_hash_map<int64_t, std::string> owners_ CHOREO_GUARDED_BY(mu_);
};

class Security {
 public:
  struct Options {
    AuthMode mode = AuthMode::kNone;
    std::vector<std::string> super_users;
    MtlsPrincipal mtls_principal = MtlsPrincipal::kSubject;
    AuthFailures::Limits failure_limits = {};
  };

  // `store` and `registry` are borrowed and must outlive this object.
  Security(storage::LogStore& store, MetricsRegistry& registry, Options options);

  // Loads users, ACLs and producer owners. Errors: the store's.
  absl::Status Load();

  AuthMode mode() const { return options_.mode; }
  // Whether principals are authenticated and ACLs checked.
  bool enabled() const { return options_.mode != AuthMode::kNone; }
  MtlsPrincipal mtls_principal() const { return options_.mtls_principal; }

  UserStore& users() { return users_; }
  AclAuthorizer& acls() { return acls_; }
  ProducerOwners& producers() { return producers_; }
  AuthFailures& failures() { return failures_; }

  // Whether `principal` may do `operation` on the resource: always with authentication off,
  // else per the ACLs. A denial is counted by operation.
  bool Authorize(std::string_view principal, AclOperation operation, AclResource resource,
                 std::string_view name);
  // Counts a denial decided with acls().Allowed() directly (alternatives, filtered answers).
  void CountDenial(AclOperation operation);

 private:
  const Options options_;
  UserStore users_;
  AclAuthorizer acls_;
  ProducerOwners producers_;
  AuthFailures failures_;
  std::array<Counter*, 8> denials_{};  // by AclOperation value
};

}  // namespace choreo::broker
