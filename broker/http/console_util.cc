#include "broker/http/console_util.h"

#include <absl/strings/numbers.h>

#include <chrono>

#include "broker/error_mapping.h"

namespace choreo::broker::console {

HttpResponse Json(JsonWriter&& json, int status) {
  return HttpResponse{.status = status,
                      .content_type = "application/json",
                      .body = std::move(json).Take(),
                      .headers = {{"Cache-Control", "no-store"}}};
}

HttpResponse Error(int status, std::string_view message, std::string_view code) {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  json.Field("status", static_cast<int64_t>(status));
  if (!code.empty()) json.Field("code", code);
  json.Field("message", message);
  json.EndObject().EndObject();
  return Json(std::move(json), status);
}

HttpResponse Error(const absl::Status& status) {
  int http = 500;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      http = 404;
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      http = 400;
      break;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      http = 409;
      break;
    case absl::StatusCode::kUnavailable:
      http = 503;
      break;
    default:
      break;
  }
  return Error(http, View(status.message()), proto::ErrorCode_Name(ErrorCodeFor(status)));
}

IntParam ParseInt(const HttpRequest& request, std::string_view name, int64_t fallback, int64_t min,
                  int64_t max) {
  std::optional<std::string_view> text = request.Param(name);
  if (!text || text->empty()) return IntParam{.value = fallback};
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::string_view(text->data(), text->size()), &value) || value < min ||
      value > max) {
    return IntParam{.error =
                        Cat("parameter '", name, "' must be an integer in [", min, ", ", max, "]")};
  }
  return IntParam{.value = value};
}

std::optional<std::string> RequiredParam(const HttpRequest& request, std::string_view name,
                                         size_t max_bytes, std::string* error) {
  std::optional<std::string_view> value = request.Param(name);
  if (!value || value->empty()) {
    *error = Cat("parameter '", name, "' is required");
    return std::nullopt;
  }
  if (value->size() > max_bytes) {
    *error = Cat("parameter '", name, "' is longer than ", max_bytes, " bytes");
    return std::nullopt;
  }
  return std::string(*value);
}

std::optional<HttpResponse> CheckAction(const ConsoleOptions& options, const HttpRequest& request) {
  if (request.method != "POST") return Error(405, "this action needs POST");
  if (!options.actions) {
    return Error(403,
                 "the console is read-only: start choreod with --http-console-actions to allow "
                 "replay, discard and offset resets",
                 "ACTIONS_DISABLED");
  }
  if (!request.Header("x-choreo-console")) {
    return Error(403, "actions need the X-Choreo-Console header (sent by the console's pages)");
  }
  return std::nullopt;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace choreo::broker::console
