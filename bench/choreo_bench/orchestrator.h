// The timed part of a choreo-bench run: start consumers and producers, print progress, wait for
// consumers to catch up, fill in the summary.
#pragma once

#include <sys/types.h>

#include "bench_options.h"
#include "report.h"

namespace choreo::bench {

// `fresh_topic`: the topic was created for this run, so consumers may read it from the beginning
// (otherwise they start at its end). `broker_pid` > 0 enables RSS sampling.
void RunWorkload(const BenchOptions& options, bool fresh_topic, pid_t broker_pid, Summary& summary);

}  // namespace choreo::bench
