// The timed part of a choreo-saga-bench run: start the choreography and the driver, print
// progress, measure the window, wait for every saga to complete, stop, and check that each
// completed exactly once (in the handler and in the log).
#pragma once

#include <sys/types.h>

#include "choreo/client/status.h"
#include "saga_bench_options.h"
#include "saga_report.h"

namespace choreo::bench {

// The run's topics must exist (main creates them). `broker_pid` > 0 enables RSS sampling.
// Errors: setting up the publisher or the services; what the run measured is in `summary`.
Status RunSagaBench(const SagaBenchOptions& options, pid_t broker_pid, SagaSummary& summary);

}  // namespace choreo::bench
