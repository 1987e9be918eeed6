// Request/response helpers shared by Admin and Consumer: metadata and offset look-ups.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

// Sends `request` and checks the response (see CheckResponse).
Result<proto::Response> Roundtrip(Connection& connection, proto::Request request,
                                  proto::Response::BodyCase expected,
                                  std::chrono::milliseconds timeout);

TopicDescription ToDescription(const proto::TopicMetadata& metadata);

// Describes `topics` (all topics when empty). With explicit topics, the first per-topic error (for
// example kUnknownTopic) is the result; when listing all topics, topics with errors are skipped.
Result<std::vector<TopicDescription>> RequestMetadata(Connection& connection,
                                                      const std::vector<std::string>& topics,
                                                      std::chrono::milliseconds timeout);

struct OffsetQuery {
  TopicPartition partition;
  OffsetSpec spec = OffsetSpec::kLatest;
  int64_t timestamp_ms = 0;  // for kTimestamp only
};

// Resolves every query in one ListOffsets request; results are in query order. The first
// per-partition error is the result.
Result<std::vector<int64_t>> RequestOffsets(Connection& connection,
                                            const std::vector<OffsetQuery>& queries,
                                            std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
