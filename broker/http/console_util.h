// Helpers shared by the console's route files (console_*.cc): JSON responses, errors, and bounded
// parameter parsing. Internal to broker/http.
#pragma once

#include <absl/status/status.h>
#include <absl/strings/escaping.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/http/console_api.h"
#include "broker/http/http_server.h"
#include "choreo/common/json_writer.h"
#include "choreo/common/mutex.h"

namespace choreo::broker::console {

namespace internal {
inline void AppendPiece(std::string* out, std::string_view s) {
  out->append(s);
}
template <std::integral T>
void AppendPiece(std::string* out, T value) {
  out->append(std::to_string(value));
}
}  // namespace internal

// Concatenates strings and integers (absl::StrCat does not take std::string_view with the
// distribution's abseil).
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (internal::AppendPiece(&out, args), ...);
  return out;
}

// Standard base64 of `bytes`.
inline std::string Base64(std::string_view bytes) {
  return absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

// absl::string_view (a status message) as std::string_view.
inline std::string_view View(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

// 200 with the writer's document.
HttpResponse Json(JsonWriter&& json, int status = 200);
// {"error": {"status": S, "code": "...", "message": "..."}} with HTTP status S.
HttpResponse Error(int status, std::string_view message, std::string_view code = "");
// The error response for a failed store or coordinator call: NotFound 404, InvalidArgument and
// OutOfRange 400, FailedPrecondition 409, Unavailable 503, anything else 500; `code` is the wire
// error code's name (UNKNOWN_TOPIC, GROUP_NOT_EMPTY, ...).
HttpResponse Error(const absl::Status& status);

// An integer parameter: `fallback` when absent; an error message when it is not an integer in
// [min, max].
struct IntParam {
  int64_t value = 0;
  std::string error = {};  // empty when the value is usable
};
IntParam ParseInt(const HttpRequest& request, std::string_view name, int64_t fallback, int64_t min,
                  int64_t max);
// A required, non-empty string parameter of at most `max_bytes`; std::nullopt when missing, empty
// or too long, with `*error` set.
std::optional<std::string> RequiredParam(const HttpRequest& request, std::string_view name,
                                         size_t max_bytes, std::string* error);

// 403 unless actions are enabled; 405 unless POST; 403 without the X-Choreo-Console header (a
// page of another site cannot send it without a CORS preflight, which this server never allows,
// so a forged cross-site form cannot change state). std::nullopt when the action may proceed.
std::optional<HttpResponse> CheckAction(const ConsoleOptions& options, const HttpRequest& request);

int64_t NowMs();

// Open and stuck saga counts (LogStore::CountOpenSagas scans every open saga), reused for a few
// seconds. Thread-safe.
class SagaCountCache {
 public:
  absl::StatusOr<std::vector<storage::OpenSagaCount>> Get(const storage::LogStore& store,
                                                          int64_t now_ms);

 private:
  static constexpr int64_t kRefreshMs = 5000;
  Mutex mu_;
  int64_t counted_at_ms_ CHOREO_GUARDED_BY(mu_) = -1;
  absl::StatusOr<std::vector<storage::OpenSagaCount>> counts_ CHOREO_GUARDED_BY(mu_);
};

// Route handlers, one file each (console_overview.cc, ...). `rest` is the path after the route's
// prefix, already split off by the router where it names a resource.
HttpResponse Overview(ConsoleServices& services, SagaCountCache& sagas, const HttpRequest& request);
HttpResponse Topics(ConsoleServices& services, const HttpRequest& request);
HttpResponse Topic(ConsoleServices& services, std::string_view name);
HttpResponse Records(ConsoleServices& services, const HttpRequest& request);
HttpResponse Groups(ConsoleServices& services, const HttpRequest& request);
HttpResponse Group(ConsoleServices& services, std::string_view group);
HttpResponse ResetGroupOffsets(ConsoleServices& services, std::string_view group,
                               const HttpRequest& request);
HttpResponse SagaSearch(ConsoleServices& services, const HttpRequest& request);
HttpResponse SagaTimeline(ConsoleServices& services, const HttpRequest& request);
HttpResponse StuckSagas(ConsoleServices& services, SagaCountCache& sagas,
                        const HttpRequest& request);
HttpResponse DeadLetterTopics(ConsoleServices& services, const HttpRequest& request);
HttpResponse DeadLetterSagas(ConsoleServices& services, std::string_view topic,
                             const HttpRequest& request);
HttpResponse DeadLetterAction(ConsoleServices& services, std::string_view topic,
                              std::string_view action, const HttpRequest& request);
HttpResponse Schemas(ConsoleServices& services, const HttpRequest& request);
HttpResponse Schema(ConsoleServices& services, std::string_view subject,
                    const HttpRequest& request);

}  // namespace choreo::broker::console
