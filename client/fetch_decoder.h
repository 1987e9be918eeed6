// Turns one partition of a FetchResponse into consumed records (used by the consumer's fetcher).
#pragma once

#include <cstdint>
#include <vector>

#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

struct DecodedPartition {
  TopicPartition partition;
  // Every record of every batch, in offset order. A fetch returns whole batches, so the first
  // records may lie below the offset that was asked for; the caller skips those.
  std::vector<ConsumedRecord> records;
  // The broker's partition error, or kCorruptMessage for a batch that does not decode (the records
  // of the batches before it are kept).
  Status error;
  int64_t log_start_offset = 0;
  int64_t high_watermark = 0;
};

// Decodes (and checks the CRC of, and decompresses) every batch of `partition`.
DecodedPartition DecodeFetchPartition(const proto::FetchPartitionResponse& partition);

}  // namespace choreo::client_internal
