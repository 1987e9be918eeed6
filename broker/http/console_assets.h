// The web console's pages (broker/http/console/: HTML, CSS, JavaScript modules), embedded in the
// binary at build time by embed_assets.cmake, and served on the HTTP port at "/" and
// "/console/...". No file is read at run time and nothing is loaded from elsewhere: the pages'
// Content-Security-Policy allows only this origin.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "broker/http/http_server.h"

namespace choreo::broker {

struct ConsoleAsset {
  std::string_view path;  // relative to broker/http/console/, e.g. "js/app.js"
  std::string_view data;
};

// Generated (console_assets_data.cc in the build tree).
extern const ConsoleAsset kConsoleAssets[];
extern const size_t kConsoleAssetCount;

// GET/HEAD "/", "/console" and "/console/" answer index.html; "/console/<path>" the asset at
// <path>. std::nullopt for any other path; 404 for an unknown asset, 405 for other methods.
std::optional<HttpResponse> ServeConsoleAsset(const HttpRequest& request);

}  // namespace choreo::broker
