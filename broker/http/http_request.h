// An HTTP/1.1 request as the operator HTTP server (http_server.h) hands it to its handler, and the
// parsing of its head. Untrusted input: every malformed or oversized part is an error status with
// a message, never an assertion.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace choreo::broker {

// Bounds on what a request may carry. A head over kMaxRequestHeadBytes or a body over
// kMaxRequestBodyBytes is answered 400/413 without being read further.
inline constexpr size_t kMaxRequestHeadBytes = 8192;
inline constexpr size_t kMaxRequestBodyBytes = 64 * 1024;
inline constexpr size_t kMaxQueryParams = 32;
inline constexpr size_t kMaxRequestHeaders = 64;

struct HttpRequest {
  std::string method;  // "GET", "HEAD" or "POST" (others are refused by the server)
  std::string path;    // percent-decoded, without the query string: "/api/topics/orders"
  // Query parameters, then (for POST with an application/x-www-form-urlencoded body) the body's,
  // percent-decoded, in order. A name without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> params;
  // Header names in lower case; values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first parameter called `name`, or std::nullopt.
  std::optional<std::string_view> Param(std::string_view name) const;
  // The first header called `name` (lower case), or std::nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// Why a head could not be parsed: the status to answer (400, 405, 411, 413, 501) and a message.
struct HttpError {
  int status = 400;
  std::string message;
};

// Parses the request line and headers of `head` (up to and including the blank line) into
// `request` (method, path, params, headers) and sets `*content_length` (0 without a body).
// Returns std::nullopt on success.
std::optional<HttpError> ParseRequestHead(std::string_view head, HttpRequest* request,
                                          size_t* content_length);

// Appends the pairs of an application/x-www-form-urlencoded string ("a=1&b=x%20y") to `params`.
// Errors (400): bad percent escapes, more than kMaxQueryParams pairs in all.
std::optional<HttpError> ParseFormParams(std::string_view text,
                                         std::vector<std::pair<std::string, std::string>>* params);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). False on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

}  // namespace choreo::broker
