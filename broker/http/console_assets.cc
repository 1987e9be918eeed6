#include "broker/http/console_assets.h"

#include <string>

namespace choreo::broker {
namespace {

// Only this origin: no inline scripts or styles, no other hosts, no framing.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view ContentType(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

const ConsoleAsset* Find(std::string_view path) {
  for (size_t i = 0; i < kConsoleAssetCount; ++i) {
    if (kConsoleAssets[i].path == path) return &kConsoleAssets[i];
  }
  return nullptr;
}

}  // namespace

std::optional<HttpResponse> ServeConsoleAsset(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path == "/" || path == "/console" || path == "/console/") {
    path = "index.html";
  } else if (path.starts_with("/console/")) {
    path.remove_prefix(std::string_view("/console/").size());
  } else {
    return std::nullopt;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return HttpResponse{.status = 405, .body = "the console's pages take GET\n"};
  }
  const ConsoleAsset* asset = Find(path);
  if (asset == nullptr) {
    return HttpResponse{.status = 404, .body = "no console asset " + std::string(path) + "\n"};
  }
  return HttpResponse{.status = 200,
                      .content_type = std::string(ContentType(path)),
                      .body = std::string(asset->data),
                      .headers = {{"Content-Security-Policy", kContentSecurityPolicy},
                                  {"X-Content-Type-Options", "nosniff"},
                                  {"Cache-Control", "no-cache"}}};
}

}  // namespace choreo::broker
