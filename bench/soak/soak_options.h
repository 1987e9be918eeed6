// The soak run's settings (flags of choreo-soak; see bench/README.md, "choreo-soak").
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace choreo::soak {

struct SoakOptions {
  std::string choreod;   // path of the broker binary
  std::string data_dir;  // the broker's data directory (kept after the run)
  std::vector<std::string> broker_flags;
  std::chrono::seconds duration{1800};
  double records_per_second = 3000;  // keyed records to the audited topic
  int keys = 64;
  int partitions = 8;
  int value_bytes = 200;
  // A second, unaudited topic written at a quarter of the rate with 1 KiB values, so that
  // retention has something to trim throughout.
  bool churn_topic = true;
  int64_t retention_ms = 300000;                    // both topics
  int members = 3;                                  // group members at a time
  std::chrono::seconds member_churn_every{40};      // one member leaves, a new one joins
  std::chrono::seconds producer_restart_every{90};  // a new producer (id) replaces the old
  std::chrono::seconds broker_restart_every{360};   // alternately SIGTERM and SIGKILL
  std::chrono::seconds sample_every{10};
  std::chrono::seconds drain_timeout{300};  // at the end, for the group to catch up
};

}  // namespace choreo::soak
