// What one choreo-saga-bench run does, filled from flags in main.cc.
#pragma once

#include <cstdint>
#include <string>

namespace choreo::bench {

struct SagaBenchOptions {
  // The broker to use; empty: start a choreod (SpawnedBroker) for the run.
  std::string broker = {};
  uint32_t partitions = 8;  // per topic
  // Sagas started per second, scheduled by time (open loop); 0: as fast as the window allows.
  double rate = 0;
  double warmup_s = 2;     // sagas run, not measured
  double duration_s = 10;  // the measured window, after the warmup
  uint32_t workers = 2;    // handler threads of each of the three services
  // Sagas started and not yet completed, at most (both modes; with --rate a full window delays
  // the next start, and the delay counts in its latency).
  int64_t max_in_flight = 10000;
  // Read the OrderCompleted topic back at the end and check that it holds every saga once.
  bool verify_log = true;
  bool json = false;

  // Filled by main: names of this run's topics and groups ("choreo-saga-bench-<pid>"), and the
  // spawned broker's fsync policy ("" when the broker was given).
  std::string run_id = {};
  std::string fsync_label = {};
};

}  // namespace choreo::bench
