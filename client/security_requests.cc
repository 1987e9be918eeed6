#include "client/security_requests.h"

#include <string>

#include "choreo/proto/protocol_version.h"
#include "choreo/proto/scram.h"
#include "client/requests.h"

namespace choreo::client_internal {
namespace {

void ToProto(const AclBinding& acl, proto::AclBinding* out) {
  out->set_principal(acl.principal);
  out->set_resource_type(static_cast<proto::AclResourceType>(acl.resource_type));
  out->set_resource_name(acl.resource_name);
  out->set_pattern_type(static_cast<proto::AclPatternType>(acl.pattern_type));
  out->set_operation(static_cast<proto::AclOperation>(acl.operation));
  out->set_permission(static_cast<proto::AclPermission>(acl.permission));
}

AclBinding FromProto(const proto::AclBinding& acl) {
  return AclBinding{.principal = acl.principal(),
                    .resource_type = static_cast<AclResourceType>(acl.resource_type()),
                    .resource_name = acl.resource_name(),
                    .pattern_type = static_cast<AclPatternType>(acl.pattern_type()),
                    .operation = static_cast<AclOperation>(acl.operation()),
                    .permission = static_cast<AclPermission>(acl.permission())};
}

Result<proto::Response> SecurityRoundtrip(Connection& connection, proto::Request request,
                                          proto::Response::BodyCase expected,
                                          std::chrono::milliseconds timeout) {
  if (Status supported = RequireProtocolMinor(connection, proto::kSecurityMinor, "users and ACLs");
      !supported.ok()) {
    return supported;
  }
  return Roundtrip(connection, std::move(request), expected, timeout);
}

}  // namespace

Status UpsertUser(Connection& connection, std::string_view name, std::string_view password,
                  uint32_t iterations, std::chrono::milliseconds timeout) {
  if (password.empty()) return Status(ErrorCode::kInvalidArgument, "the password is empty");
  if (iterations < proto::scram::kMinIterations || iterations > proto::scram::kMaxIterations) {
    return Status(ErrorCode::kInvalidArgument, "iterations must be in [4096, 1048576]");
  }
  const proto::scram::Credential credential = proto::scram::NewCredential(password, iterations);
  proto::Request request;
  proto::UpsertUserRequest* upsert = request.mutable_upsert_user();
  upsert->set_name(std::string(name));
  upsert->mutable_credential()->set_salt(credential.salt);
  upsert->mutable_credential()->set_iterations(credential.iterations);
  upsert->mutable_credential()->set_stored_key(credential.stored_key);
  upsert->mutable_credential()->set_server_key(credential.server_key);
  return SecurityRoundtrip(connection, std::move(request), proto::Response::kUpsertUser, timeout)
      .status();
}

Status DeleteUser(Connection& connection, std::string_view name,
                  std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_delete_user()->set_name(std::string(name));
  return SecurityRoundtrip(connection, std::move(request), proto::Response::kDeleteUser, timeout)
      .status();
}

Result<std::vector<UserDescription>> ListUsers(Connection& connection,
                                               std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_list_users();
  Result<proto::Response> response =
      SecurityRoundtrip(connection, std::move(request), proto::Response::kListUsers, timeout);
  if (!response.ok()) return response.status();
  std::vector<UserDescription> users;
  for (const auto& user : response->list_users().users())
    users.push_back({user.name(), user.mechanism(), user.iterations()});
  return users;
}

Status CreateAcls(Connection& connection, const std::vector<AclBinding>& acls,
                  std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::CreateAclsRequest* create = request.mutable_create_acls();
  for (const AclBinding& acl : acls)
    ToProto(acl, create->add_acls());
  return SecurityRoundtrip(connection, std::move(request), proto::Response::kCreateAcls, timeout)
      .status();
}

Result<uint32_t> DeleteAcls(Connection& connection, const std::vector<AclBinding>& acls,
                            std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::DeleteAclsRequest* remove = request.mutable_delete_acls();
  for (const AclBinding& acl : acls)
    ToProto(acl, remove->add_acls());
  Result<proto::Response> response =
      SecurityRoundtrip(connection, std::move(request), proto::Response::kDeleteAcls, timeout);
  if (!response.ok()) return response.status();
  return response->delete_acls().removed();
}

Result<std::vector<AclBinding>> ListAcls(Connection& connection, std::string_view principal,
                                         std::chrono::milliseconds timeout) {
  proto::Request request;
  request.mutable_list_acls()->set_principal(std::string(principal));
  Result<proto::Response> response =
      SecurityRoundtrip(connection, std::move(request), proto::Response::kListAcls, timeout);
  if (!response.ok()) return response.status();
  std::vector<AclBinding> acls;
  for (const auto& acl : response->list_acls().acls())
    acls.push_back(FromProto(acl));
  return acls;
}

}  // namespace choreo::client_internal
