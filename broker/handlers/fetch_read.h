// One read pass of a fetch: reads every requested partition from the store within the response's
// byte budget. Used by the fetch handler, which repeats passes while long-polling. A
// ReadTier::kMayBlock pass does storage I/O and runs on the storage pool; a kMemoryOnly pass reads
// only what is in memory (a consumer at the tail reads the memtable) and runs on the network
// thread, saving two thread hand-offs, unless some partition needs the disk (`needs_io`).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

struct FetchPass {
  proto::FetchResponse response;
  uint64_t bytes = 0;             // batch bytes in the response
  bool any_error = false;         // some partition failed; answer now rather than wait
  bool needs_io = false;          // kMemoryOnly: a partition needs the disk; redo with kMayBlock
  std::vector<uint64_t> records;  // records returned, per requested partition (for metrics)
};

// `topics[i]` is the topic of request.partitions(i), or nullopt if unknown. `max_bytes` bounds
// the batch bytes of the whole response, except that the first batch is always returned so a
// consumer can make progress past a batch larger than its limits.
FetchPass ReadPartitions(const BrokerServices& services, const proto::FetchRequest& request,
                         const std::vector<std::optional<storage::TopicInfo>>& topics,
                         uint64_t max_bytes, storage::ReadTier tier);

}  // namespace choreo::broker
