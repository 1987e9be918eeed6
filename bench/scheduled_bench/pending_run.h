// Many pending: schedules --pending records due far in the future, sampling the broker's RSS and
// data directory at 0, 10, 25, 50 and 100 % of them; restarts the broker on the same directory and
// times its start-up (the store counts the pending events at open); then, with all of them still
// pending, schedules a --burst of records due at one moment and times their delivery.
#pragma once

#include <ostream>

#include "bench/scheduled_bench/scheduled_options.h"

namespace choreo::bench {

// Starts (and restarts) its own choreod; prints the report to `out`. Returns false if a record
// was not scheduled, the pending count after the restart is wrong, or a burst record is missing
// or duplicated.
bool RunPending(const ScheduledBenchOptions& options, std::ostream& out);

}  // namespace choreo::bench
