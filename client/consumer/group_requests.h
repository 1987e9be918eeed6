// Offset commit and fetch round trips, shared by Consumer and Admin.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "choreo/client/group.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

using OffsetMap = std::map<TopicPartition, OffsetAndMetadata>;

// An OffsetCommit request; an empty member id is an administrative commit.
proto::Request MakeOffsetCommit(const std::string& group_id, const std::string& member_id,
                                int32_t member_epoch, const OffsetMap& offsets);
// The outcome of an OffsetCommit: the transport or request-level error, else the first
// partition error, else OK.
Status CommitOutcome(Result<proto::Response> response);

// The committed offsets of `partitions` (all committed partitions of the group when empty);
// std::nullopt where nothing is committed. The first per-partition error is the result.
Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> FetchCommitted(
    Connection& connection, const std::string& group_id,
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
