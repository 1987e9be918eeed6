// ACLs: who may do what to which topic, group or the cluster (README "Authentication and ACLs").
//
// A binding is (principal or "*", resource type, literal name or prefix, operation, allow|deny).
// A request is allowed when at least one binding allows it and none denies it (deny wins); with
// no matching binding it is denied. An allow of read, write, delete or alter also allows describe
// (as in Kafka); `kAll` matches every operation. Super users (--super-users) are always allowed.
//
// AclAuthorizer keeps the bindings in memory (an immutable snapshot swapped on every change, so a
// check takes one short lock and no I/O) and in the store (`meta` 'A' records), so changes take
// effect on the next request and survive a restart. It knows nothing of requests or protocols:
// both listeners map their requests to (operation, resource) checks (handlers/authorize.cc for
// choreo's protocol).
//
// Threading: thread-safe. Add/Remove write to the store (synced): call them off the network
// threads.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// The numbering is the wire's (proto::AclResourceType and friends) and the stored format's.
enum class AclResource : uint8_t { kTopic = 1, kGroup = 2, kCluster = 3 };
enum class AclPattern : uint8_t { kLiteral = 0, kPrefix = 1 };
enum class AclOperation : uint8_t {
  kRead = 1,
  kWrite = 2,
  kCreate = 3,
  kDelete = 4,
  kAlter = 5,
  kDescribe = 6,
  kAll = 7,
};
enum class AclPermission : uint8_t { kAllow = 0, kDeny = 1 };

// The cluster resource's one name.
inline constexpr std::string_view kClusterResource = "cluster";
// Matches every principal.
inline constexpr std::string_view kAnyPrincipal = "*";

const char* AclOperationName(AclOperation operation);
const char* AclResourceName(AclResource resource);

struct AclBinding {
  std::string principal;
  AclResource resource = AclResource::kTopic;
  std::string name;  // literal name ("*": every name) or prefix
  AclPattern pattern = AclPattern::kLiteral;
  AclOperation operation = AclOperation::kRead;
  AclPermission permission = AclPermission::kAllow;

  friend bool operator==(const AclBinding&, const AclBinding&) = default;
};

// Checks a binding's fields. Errors: InvalidArgument naming the field.
absl::Status ValidateAcl(const AclBinding& binding);

// The stored form (the `meta` record key; the value is empty):
//   version u8 (1) | resource u8 | pattern u8 | operation u8 | permission u8 |
//   principal length u16 BE | principal | name
std::string EncodeAcl(const AclBinding& binding);
// Errors: DataLoss.
absl::StatusOr<AclBinding> DecodeAcl(std::string_view key);

class AclAuthorizer {
 public:
  // `store` is borrowed and must outlive this object.
  AclAuthorizer(storage::LogStore& store, std::vector<std::string> super_users);

  // Loads the stored bindings (start-up). Errors: the store's.
  absl::Status Load() CHOREO_EXCLUDES(mu_);

  // Whether `principal` may do `operation` on the resource. Super users may do everything.
  bool Allowed(std::string_view principal, AclOperation operation, AclResource resource,
               std::string_view name) const CHOREO_EXCLUDES(mu_);
  bool IsSuperUser(std::string_view principal) const;

  // Stores the bindings (all or, on an error, possibly a prefix of them) and makes them effective.
  // Adding an existing binding is a no-op. Errors: InvalidArgument, the store's.
  absl::Status Add(const std::vector<AclBinding>& bindings) CHOREO_EXCLUDES(mu_);
  // Removes exactly these bindings; returns how many existed. Errors: the store's.
  absl::StatusOr<uint32_t> Remove(const std::vector<AclBinding>& bindings) CHOREO_EXCLUDES(mu_);
  // Every binding, or those of one principal ("": all), sorted by their stored form.
  std::vector<AclBinding> List(std::string_view principal) const CHOREO_EXCLUDES(mu_);

 private:
  using Snapshot = std::vector<AclBinding>;
  std::shared_ptr<const Snapshot> snapshot() const CHOREO_EXCLUDES(mu_);

  storage::LogStore& store_;
  const std::vector<std::string> super_users_;
  Mutex change_mu_;  // serializes Add/Remove (store write + snapshot swap); before mu_
  mutable Mutex mu_;
  std::shared_ptr<const Snapshot> bindings_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::broker
