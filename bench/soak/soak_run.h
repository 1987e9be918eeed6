// The soak run: a broker restarted now and then (gracefully and by SIGKILL), an idempotent
// producer replaced now and then, a consumer group whose members come and go, retention trimming
// throughout; then the checks that nothing acknowledged was lost, per-key order held, and the
// broker's memory, open files and disk stayed flat.
#pragma once

#include "bench/soak/soak_options.h"

namespace choreo::soak {

// Runs the soak and prints its samples and verdict to stdout. Returns 0 when every check passed,
// 1 when one failed, 2 when the run could not be set up.
int RunSoak(const SoakOptions& options);

}  // namespace choreo::soak
