// The requests behind Admin's user and ACL calls (protocol minor 5).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "choreo/client/security.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

// Turns the password into a SCRAM-SHA-256 credential here (random salt): only that is sent.
Status UpsertUser(Connection& connection, std::string_view name, std::string_view password,
                  uint32_t iterations, std::chrono::milliseconds timeout);
Status DeleteUser(Connection& connection, std::string_view name, std::chrono::milliseconds timeout);
Result<std::vector<UserDescription>> ListUsers(Connection& connection,
                                               std::chrono::milliseconds timeout);
Status CreateAcls(Connection& connection, const std::vector<AclBinding>& acls,
                  std::chrono::milliseconds timeout);
Result<uint32_t> DeleteAcls(Connection& connection, const std::vector<AclBinding>& acls,
                            std::chrono::milliseconds timeout);
Result<std::vector<AclBinding>> ListAcls(Connection& connection, std::string_view principal,
                                         std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
