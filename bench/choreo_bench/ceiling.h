// Ceiling mode: appends the same record batches choreo-bench would produce straight into a LogStore
// in this process, with the broker's default storage options, so a report can state the broker's
// throughput as a fraction of what storage alone does on this machine.
#pragma once

#include <absl/status/statusor.h>

#include "bench_options.h"
#include "choreo/storage/log_store.h"

namespace choreo::bench {

struct CeilingResult {
  int64_t records = 0;
  int64_t value_bytes = 0;
  double seconds = 0;
  double records_per_second() const { return seconds > 0 ? records / seconds : 0; }
};

absl::StatusOr<CeilingResult> RunCeiling(const BenchOptions& options, storage::FsyncPolicy fsync);

}  // namespace choreo::bench
