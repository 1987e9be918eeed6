// Whether the broker is there before a command runs: the client library connects in the
// background and waits for a broker that is not up yet, which suits services but not a tool run
// by hand, where "connection refused" should be said at once.
#pragma once

#include <chrono>
#include <ostream>

#include "choreo/client/options.h"
#include "choreo/client/status.h"

namespace choreo::cli {

// Connects and handshakes once (then closes the connection); if the broker cannot be reached,
// tries again with backoff until `wait` has passed (0: a single attempt). Errors:
// kConnectionFailed/kTimeout with a message that names the address and suggests what to check
// ("cannot connect to localhost:7420: Connection refused; is choreod running? ..."), or the
// handshake's error (e.g. kUnsupportedVersion) at once. When the first attempt fails and it is
// going to wait, says so on `progress` (one line).
Status WaitForBroker(const ClientOptions& options, std::chrono::milliseconds wait,
                     std::ostream& progress);

}  // namespace choreo::cli
