// Users and ACLs of a broker with authentication (README "Authentication and ACLs"), managed
// through Admin (admin.h). Needs a broker of protocol 1.5 or later.
#pragma once

#include <cstdint>
#include <string>

namespace choreo {

// A user SCRAM-SHA-256 (and PLAIN) authenticate against. The broker keeps a salted, iterated
// credential, never the password.
struct UserDescription {
  std::string name = {};
  std::string mechanism = {};  // "SCRAM-SHA-256"
  uint32_t iterations = 0;
};

enum class AclResourceType { kTopic = 1, kGroup = 2, kCluster = 3 };
enum class AclPatternType { kLiteral = 0, kPrefix = 1 };
enum class AclOperation {
  kRead = 1,
  kWrite = 2,
  kCreate = 3,
  kDelete = 4,
  kAlter = 5,
  kDescribe = 6,  // also allowed by an allow of read, write, delete or alter
  kAll = 7,
};
enum class AclPermission { kAllow = 0, kDeny = 1 };

// (principal or "*", resource, literal name or prefix, operation, allow|deny). A request is allowed
// when an ACL allows it and none denies it (deny wins); without a matching ACL it is denied.
struct AclBinding {
  std::string principal = {};  // a user name, a certificate principal, or "*"
  AclResourceType resource_type = AclResourceType::kTopic;
  std::string resource_name = {};  // "cluster" for kCluster; "*" with kLiteral: every name
  AclPatternType pattern_type = AclPatternType::kLiteral;
  AclOperation operation = AclOperation::kRead;
  AclPermission permission = AclPermission::kAllow;
};

}  // namespace choreo
