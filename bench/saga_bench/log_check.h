// The end-of-run check from the log: reads a run's OrderCompleted topic from the beginning to its
// end and counts the events per saga. Exactly-once steps mean every started saga's OrderCompleted
// is there exactly once, whatever the handlers' call counts were.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/status.h"

namespace choreo::bench {

struct LogCounts {
  std::vector<uint32_t> per_saga;  // indexed by saga number, for sagas [0, sagas)
  uint64_t records = 0;            // records read
  uint64_t foreign = 0;            // records whose key is no saga of [0, sagas)
};

// Reads every partition of `topic` up to the end it has when the call starts. Errors: the
// client's (connection, unknown topic), kTimeout when reading made no progress for 60 s.
Result<LogCounts> CountCompletedInLog(const std::string& broker, const std::string& topic,
                                      uint64_t sagas);

}  // namespace choreo::bench
