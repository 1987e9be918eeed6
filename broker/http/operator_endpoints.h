// The routes served on --http-listen:
//   /metrics  the registry in Prometheus text format (version 0.0.4)
//   /healthz  200 "ok" while the process is alive and the HTTP thread answers
//   /readyz   200 "ready" while the store is open, takes writes and the broker serves; 503 with
//             the reason otherwise (starting, shutting down, storage refusing writes after a full
//             disk or an I/O error)
//   /api/...  the web console's JSON API (console_api.h), when the console is enabled
//   /, /console/...  the web console's pages (console_assets.h), when the console is enabled
#pragma once

#include <functional>
#include <string>

#include "broker/http/console_api.h"
#include "broker/http/http_server.h"
#include "broker/metrics/metrics.h"

namespace choreo::broker {

// `readiness` returns "" when ready, else why not. `console` may be null (the console is
// disabled: its routes answer 404). All are borrowed/copied and must stay valid while the server
// runs; the handler is thread-safe if they are.
HttpServer::Handler OperatorEndpoints(const MetricsRegistry& registry,
                                      std::function<std::string()> readiness,
                                      ConsoleApi* console = nullptr);

}  // namespace choreo::broker
