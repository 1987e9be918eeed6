#include "broker/http/operator_endpoints.h"

#include <utility>

namespace choreo::broker {

HttpServer::Handler OperatorEndpoints(const MetricsRegistry& registry,
                                      std::function<std::string()> readiness) {
  return [&registry, readiness = std::move(readiness)](std::string_view path) -> HttpResponse {
    if (path == "/metrics") {
      return HttpResponse{.status = 200,
                          .content_type = "text/plain; version=0.0.4; charset=utf-8",
                          .body = registry.RenderPrometheusText()};
    }
    if (path == "/healthz") return HttpResponse{.body = "ok\n"};
    if (path == "/readyz") {
      std::string reason = readiness();
      if (reason.empty()) return HttpResponse{.body = "ready\n"};
      return HttpResponse{.status = 503, .body = "not ready: " + reason + "\n"};
    }
    return HttpResponse{.status = 404, .body = "not found; try /metrics, /healthz or /readyz\n"};
  };
}

}  // namespace choreo::broker
