#include "broker/http/operator_endpoints.h"

#include <utility>

#include "broker/http/console_assets.h"

namespace choreo::broker {

HttpServer::Handler OperatorEndpoints(const MetricsRegistry& registry,
                                      std::function<std::string()> readiness, ConsoleApi* console) {
  return [&registry, readiness = std::move(readiness),
          console](const HttpRequest& request) -> HttpResponse {
    const std::string& path = request.path;
    if (console != nullptr) {
      if (path.starts_with("/api/")) return console->Handle(request);
      if (std::optional<HttpResponse> asset = ServeConsoleAsset(request)) return *asset;
    }
    const bool operator_route = path == "/metrics" || path == "/healthz" || path == "/readyz";
    if (operator_route && request.method == "POST") {
      return HttpResponse{.status = 405, .body = "only GET is supported\n"};
    }
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
    return HttpResponse{.status = 404,
                        .body = console != nullptr
                                    ? "not found; try / (the console), /metrics, /healthz or "
                                      "/readyz\n"
                                    : "not found; try /metrics, /healthz or /readyz\n"};
  };
}

}  // namespace choreo::broker
