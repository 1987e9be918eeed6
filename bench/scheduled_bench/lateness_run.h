// Lateness under load: schedulers schedule records at --schedule_rate for --duration, each due
// --delay after its Schedule call, while a plain producer keeps the broker busy with --load_rate
// records/s on another topic; a reader measures how late each scheduled record reaches a consumer
// and the broker's own lateness histogram is scraped over the same interval.
#pragma once

#include <ostream>
#include <string>

#include "bench/common/spawned_broker.h"
#include "bench/scheduled_bench/scheduled_options.h"

namespace choreo::bench {

// Runs against `broker` (started by main); prints the report to `out`. Returns false if a record
// was not scheduled, missing, duplicated or unexpected, or the metrics could not be read.
bool RunLateness(const ScheduledBenchOptions& options, const SpawnedBroker& broker,
                 std::ostream& out);

}  // namespace choreo::bench
