// The wire form of records is written and read in place by proto/record_wire.h (the producer's
// accumulator and the consumer's fetch decoder); what remains here is the clock that fills in
// record timestamps.
#pragma once

#include <cstdint>

namespace choreo::client_internal {

// Milliseconds since the Unix epoch, from the system clock.
int64_t NowMs();

}  // namespace choreo::client_internal
