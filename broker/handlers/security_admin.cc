// Users and ACLs (protocol minor 5): UpsertUser, DeleteUser, ListUsers, CreateAcls, DeleteAcls,
// ListAcls. Authorization (cluster alter to change, describe to list) is checked before them, in
// handlers/authorize.cc. Changes are written to the store (synced, on the blocking pool) and take
// effect on the next request of every connection.
#include <absl/strings/str_cat.h>

#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"
#include "broker/security/security.h"

namespace choreo::broker {
namespace {

void SetAdminError(const absl::Status& status, proto::Error* error) {
  if (absl::IsInvalidArgument(status) || absl::IsNotFound(status)) {
    SetError(proto::INVALID_REQUEST, std::string(status.message()), error);
  } else {
    SetError(status, error);
  }
}

std::optional<AclBinding> FromProto(const proto::AclBinding& acl) {
  if (acl.resource_type() < proto::ACL_RESOURCE_TOPIC ||
      acl.resource_type() > proto::ACL_RESOURCE_CLUSTER ||
      acl.operation() < proto::ACL_OPERATION_READ || acl.operation() > proto::ACL_OPERATION_ALL ||
      acl.pattern_type() > proto::ACL_PATTERN_PREFIX ||
      acl.permission() > proto::ACL_PERMISSION_DENY) {
    return std::nullopt;
  }
  AclBinding binding;
  binding.principal = acl.principal();
  binding.resource = static_cast<AclResource>(acl.resource_type());
  binding.name = acl.resource_name();
  binding.pattern = static_cast<AclPattern>(acl.pattern_type());
  binding.operation = static_cast<AclOperation>(acl.operation());
  binding.permission = static_cast<AclPermission>(acl.permission());
  return binding;
}

void ToProto(const AclBinding& binding, proto::AclBinding* out) {
  out->set_principal(binding.principal);
  out->set_resource_type(static_cast<proto::AclResourceType>(binding.resource));
  out->set_resource_name(binding.name);
  out->set_pattern_type(static_cast<proto::AclPatternType>(binding.pattern));
  out->set_operation(static_cast<proto::AclOperation>(binding.operation));
  out->set_permission(static_cast<proto::AclPermission>(binding.permission));
}

// The bindings of a request, or an INVALID_REQUEST message.
bool Bindings(const google::protobuf::RepeatedPtrField<proto::AclBinding>& acls,
              std::vector<AclBinding>* out, proto::Response* response) {
  for (const proto::AclBinding& acl : acls) {
    std::optional<AclBinding> binding = FromProto(acl);
    absl::Status valid =
        binding ? ValidateAcl(*binding) : absl::InvalidArgumentError("unknown ACL enum value");
    if (!valid.ok()) {
      SetError(proto::INVALID_REQUEST, std::string(valid.message()), response->mutable_error());
      return false;
    }
    out->push_back(*std::move(binding));
  }
  return true;
}

}  // namespace

asio::awaitable<proto::Response> HandleUpsertUser(RequestContext& ctx, proto::Request& request) {
  const proto::UpsertUserRequest& upsert = request.upsert_user();
  proto::scram::Credential credential;
  credential.salt = upsert.credential().salt();
  credential.iterations = upsert.credential().iterations();
  credential.stored_key = upsert.credential().stored_key();
  credential.server_key = upsert.credential().server_key();
  UserStore& users = ctx.services.security.users();
  absl::Status status = co_await RunBlocking(
      ctx.services.blocking, [&] { return users.Upsert(upsert.name(), credential); });
  proto::Response response;
  response.mutable_upsert_user();
  if (!status.ok()) SetAdminError(status, response.mutable_error());
  co_return response;
}

asio::awaitable<proto::Response> HandleDeleteUser(RequestContext& ctx, proto::Request& request) {
  UserStore& users = ctx.services.security.users();
  const std::string& name = request.delete_user().name();
  absl::Status status =
      co_await RunBlocking(ctx.services.blocking, [&] { return users.Remove(name); });
  proto::Response response;
  response.mutable_delete_user();
  if (!status.ok()) SetAdminError(status, response.mutable_error());
  co_return response;
}

asio::awaitable<proto::Response> HandleListUsers(RequestContext& ctx, proto::Request& request) {
  (void)request;
  proto::Response response;
  proto::ListUsersResponse* body = response.mutable_list_users();
  for (const UserStore::User& user : ctx.services.security.users().List()) {
    proto::ListUsersResponse::User* out = body->add_users();
    out->set_name(user.name);
    out->set_mechanism(std::string(proto::scram::kScramSha256));
    out->set_iterations(user.iterations);
  }
  co_return response;
}

asio::awaitable<proto::Response> HandleCreateAcls(RequestContext& ctx, proto::Request& request) {
  proto::Response response;
  response.mutable_create_acls();
  std::vector<AclBinding> bindings;
  if (!Bindings(request.create_acls().acls(), &bindings, &response)) co_return response;
  AclAuthorizer& acls = ctx.services.security.acls();
  absl::Status status =
      co_await RunBlocking(ctx.services.blocking, [&] { return acls.Add(bindings); });
  if (!status.ok()) SetAdminError(status, response.mutable_error());
  co_return response;
}

asio::awaitable<proto::Response> HandleDeleteAcls(RequestContext& ctx, proto::Request& request) {
  proto::Response response;
  proto::DeleteAclsResponse* body = response.mutable_delete_acls();
  std::vector<AclBinding> bindings;
  if (!Bindings(request.delete_acls().acls(), &bindings, &response)) co_return response;
  AclAuthorizer& acls = ctx.services.security.acls();
  absl::StatusOr<uint32_t> removed =
      co_await RunBlocking(ctx.services.blocking, [&] { return acls.Remove(bindings); });
  if (!removed.ok()) {
    SetAdminError(removed.status(), response.mutable_error());
  } else {
    body->set_removed(*removed);
  }
  co_return response;
}

asio::awaitable<proto::Response> HandleListAcls(RequestContext& ctx, proto::Request& request) {
  proto::Response response;
  proto::ListAclsResponse* body = response.mutable_list_acls();
  for (const AclBinding& binding :
       ctx.services.security.acls().List(request.list_acls().principal())) {
    ToProto(binding, body->add_acls());
  }
  co_return response;
}

}  // namespace choreo::broker
