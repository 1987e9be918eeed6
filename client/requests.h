// Request/response helpers shared by Admin, Consumer and the saga layer: metadata and offset
// look-ups, step commits.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

// OK if the broker speaks protocol 1.`minor` or later; else kUnsupportedVersion naming `what`
// (a request the broker would not understand is never sent).
Status RequireProtocolMinor(const Connection& connection, uint32_t minor, std::string_view what);

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

// Sends one StepCommit (protocol 1.1; see StepCommitRequest in proto/choreo.proto) and returns the
// broker's answer: per batch, in request order, its base offset and whether it was a duplicate.
// A request-level error (fencing, validation, sequence rules, storage) is the result, mapped
// through wire_status.h; nothing of the step was written then.
Result<proto::StepCommitResponse> RequestStepCommit(Connection& connection,
                                                    proto::StepCommitRequest step,
                                                    std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
