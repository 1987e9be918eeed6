// What one choreo-event-search-bench run does, filled from flags in main.cc.
#pragma once

#include <cstdint>
#include <string>

namespace choreo::bench {

struct SearchBenchOptions {
  std::string broker = {};  // filled by main (a spawned choreod's address by default)
  std::string topic = {};   // "choreo-event-search-<pid>", created and deleted by the run
  uint32_t partitions = 8;
  int64_t records = 3000000;  // enveloped records the fill produces
  int saga_events = 5;        // events per saga
  int value_bytes = 100;      // payload bytes per record (random letters and digits)
  int lookups = 2000;         // index queries per kind
  int scan_rounds = 1;        // each round scans the topic once per kind
  double settle_max_s = 60;   // after the fill, wait at most this long for the broker to go idle
  // false: the topic is created with its event index off, and the run stops after the fill (its
  // speed and the data directory's size are the figures to compare).
  bool event_index = true;
};

}  // namespace choreo::bench
