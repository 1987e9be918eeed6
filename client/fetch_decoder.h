// Turns a FetchResponse into consumed records and advances the consumer's positions.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// Decodes every batch of every partition in `fetch` that is in `positions`, returning the records
// at or above each partition's position in offset order and moving the position past the last
// one returned. Records below the position are skipped: a fetch returns whole batches, so the first
// batch may start below the requested offset.
//
// A partition-level error (e.g. kOffsetOutOfRange) or an undecodable batch leaves that partition's
// position where the last good record put it. The error is the result only if no partition
// produced records; otherwise the records are returned and the error shows again on the next fetch.
Result<std::vector<ConsumedRecord>> DecodeFetch(const proto::FetchResponse& fetch,
                                                std::map<TopicPartition, int64_t>* positions);

}  // namespace choreo::client_internal
