// What one choreo-scheduled-bench run does, filled from flags in main.cc.
#pragma once

#include <cstdint>
#include <string>

namespace choreo::bench {

struct ScheduledBenchOptions {
  std::string choreod = {};  // the choreod binary the run starts (and, in pending mode, restarts)
  std::string fsync = "always";  // the started choreod's --fsync
  uint32_t partitions = 4;       // of the topic the scheduled records go to
  int schedulers = 8;            // threads scheduling, each with its own Producer (connection)
  int record_size = 100;         // value bytes of a scheduled record (the first 16: due time, seq)

  // ---- lateness mode ---------------------------------------------------------------------------
  double schedule_rate = 2000;  // scheduled records per second, over all schedulers
  double duration_s = 20;       // scheduling lasts this long
  double delay_s = 2;           // each record is due this long after its Schedule call
  double load_rate = 5000;      // plain records/s sent meanwhile to another topic (0: none)
  int load_record_size = 1024;  // their value bytes
  uint32_t load_partitions = 4;
  double drain_s = 30;  // after the last due time, wait at most this long for missing records

  // ---- pending mode ----------------------------------------------------------------------------
  int64_t pending = 1000000;  // records scheduled far in the future
  double far_s = 86400;       // ... due this far ahead (spread over pending ms after it)
  int64_t burst = 100000;     // then this many due at one moment (0: no burst)
};

}  // namespace choreo::bench
