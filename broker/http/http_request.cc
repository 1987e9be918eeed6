#include "broker/http/http_request.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

namespace choreo::broker {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<HttpError> ParseHeaders(std::string_view lines, HttpRequest* request) {
  while (!lines.empty()) {
    const size_t end = lines.find("\r\n");
    const std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 2);
    if (line.empty()) break;  // the blank line ending the head
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return HttpError{400, "malformed header line"};
    }
    if (request->headers.size() == kMaxRequestHeaders) {
      return HttpError{400, absl::StrCat("more than ", kMaxRequestHeaders, " headers")};
    }
    request->headers.emplace_back(absl::AsciiStrToLower(absl::string_view(line.data(), colon)),
                                  std::string(absl::StripAsciiWhitespace(absl::string_view(
                                      line.data() + colon + 1, line.size() - colon - 1))));
  }
  return std::nullopt;
}

std::optional<HttpError> ReadContentLength(const HttpRequest& request, size_t* content_length) {
  *content_length = 0;
  if (request.Header("transfer-encoding")) {
    return HttpError{411, "chunked request bodies are not supported; send Content-Length"};
  }
  std::optional<std::string_view> length = request.Header("content-length");
  if (!length) return std::nullopt;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(absl::string_view(length->data(), length->size()), &n)) {
    return HttpError{400, "malformed Content-Length"};
  }
  if (n > kMaxRequestBodyBytes) {
    return HttpError{413, absl::StrCat("request body over ", kMaxRequestBodyBytes, " bytes")};
  }
  *content_length = static_cast<size_t>(n);
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

std::optional<HttpError> ParseFormParams(std::string_view text,
                                         std::vector<std::pair<std::string, std::string>>* params) {
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    if (params->size() == kMaxQueryParams) {
      return HttpError{400, absl::StrCat("more than ", kMaxQueryParams, " parameters")};
    }
    const size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!PercentDecode(pair.substr(0, eq), true, &name) ||
        (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value))) {
      return HttpError{400, "malformed percent escape in parameters"};
    }
    params->emplace_back(std::move(name), std::move(value));
  }
  return std::nullopt;
}

std::optional<HttpError> ParseRequestHead(std::string_view head, HttpRequest* request,
                                          size_t* content_length) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
    return HttpError{400, "malformed request line"};
  }
  request->method = std::string(line.substr(0, sp1));
  if (request->method != "GET" && request->method != "HEAD" && request->method != "POST") {
    return HttpError{405, "only GET, HEAD and POST are supported"};
  }
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target.front() != '/') return HttpError{400, "malformed request target"};
  const size_t question = target.find('?');
  if (!PercentDecode(target.substr(0, question), false, &request->path)) {
    return HttpError{400, "malformed percent escape in path"};
  }
  if (question != std::string_view::npos) {
    if (auto error = ParseFormParams(target.substr(question + 1), &request->params)) return error;
  }
  if (line_end != std::string_view::npos) {
    if (auto error = ParseHeaders(head.substr(line_end + 2), request)) return error;
  }
  return ReadContentLength(*request, content_length);
}

}  // namespace choreo::broker
