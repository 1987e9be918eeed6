// The group operations behind Admin (list, describe, reset offsets, delete), as functions over a
// connection so admin.cc stays a thin facade.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "choreo/client/group.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

Result<std::vector<GroupListing>> ListGroups(Connection& connection,
                                             std::chrono::milliseconds timeout);
Result<GroupDescription> DescribeGroup(Connection& connection, const std::string& group_id,
                                       std::chrono::milliseconds timeout);
Result<std::map<TopicPartition, int64_t>> ResetGroupOffsets(Connection& connection,
                                                            const std::string& group_id,
                                                            const std::string& topic,
                                                            std::optional<uint32_t> partition,
                                                            const OffsetResetSpec& spec,
                                                            std::chrono::milliseconds timeout);
Status DeleteGroup(Connection& connection, const std::string& group_id,
                   std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
