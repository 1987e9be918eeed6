#include "bench/common/broker_hops.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

namespace choreo::bench {
namespace {

constexpr char kFamily[] = "choreo_hop_duration_seconds";

// The order of a record's way: producer's request in, commit, acknowledgement out; then the
// consumer's parked fetch woken, read and answered.
constexpr const char* kHopOrder[] = {"commit_queue", "storage_write", "append_resume",
                                     "fetch_wake",   "fetch_read",    "response_write"};

// `{hop="x",le="y"}` -> the value of `name`.
std::string Label(absl::string_view labels, absl::string_view name) {
  const std::string key = absl::StrCat(name, "=\"");
  const size_t at = labels.find(key);
  if (at == absl::string_view::npos) return "";
  const size_t start = at + key.size();
  const size_t end = labels.find('"', start);
  if (end == absl::string_view::npos) return "";
  return std::string(labels.substr(start, end - start));
}

}  // namespace

double HopHistogram::QuantileSeconds(double quantile) const {
  if (cumulative.empty() || cumulative.back().second == 0) return 0;
  const double rank = quantile * static_cast<double>(cumulative.back().second);
  double lower_bound = 0;
  uint64_t lower_count = 0;
  for (const auto& [bound, count] : cumulative) {
    if (static_cast<double>(count) >= rank) {
      if (std::isinf(bound)) return lower_bound;  // beyond the last finite bound
      const double in_bucket = static_cast<double>(count - lower_count);
      if (in_bucket <= 0) return bound;
      return lower_bound +
             (bound - lower_bound) * (rank - static_cast<double>(lower_count)) / in_bucket;
    }
    lower_bound = bound;
    lower_count = count;
  }
  return lower_bound;
}

absl::StatusOr<std::string> HttpGetBody(const std::string& address, const std::string& path) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "' is not host:port"));
  }
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat("resolve ", address, ": ", ::gai_strerror(rc)));
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("connect to ", address, ": ", std::strerror(errno)));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", host, "\r\nConnection: close\r\n\r\n");
  std::string response;
  bool ok = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size());
  char buffer[16384];
  while (ok) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      ok = false;
      break;
    }
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!ok) return absl::UnavailableError(absl::StrCat("GET ", address, path, " failed"));
  const size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 200", 0) != 0 || head_end == std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat("GET ", address, path, ": ", response.substr(0, response.find('\r'))));
  }
  return response.substr(head_end + 4);
}

BrokerHops ParseBrokerHops(const std::string& exposition) {
  BrokerHops hops;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, kFamily)) continue;
    const size_t open = line.find('{');
    const size_t close = line.find('}');
    if (open == absl::string_view::npos || close == absl::string_view::npos) continue;
    const absl::string_view suffix = line.substr(0, open);
    const absl::string_view labels = line.substr(open, close - open + 1);
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(close + 1));
    const std::string hop = Label(labels, "hop");
    if (hop.empty()) continue;
    double number = 0;
    if (!absl::SimpleAtod(value, &number)) continue;
    HopHistogram& h = hops[hop];
    if (suffix == "_bucket") {
      const std::string le = Label(labels, "le");
      double bound = std::numeric_limits<double>::infinity();
      if (le != "+Inf" && !absl::SimpleAtod(le, &bound)) continue;
      h.cumulative.emplace_back(bound, static_cast<uint64_t>(number));
    } else if (suffix == "_sum") {
      h.sum_seconds = number;
    } else if (suffix == "_count") {
      h.count = static_cast<uint64_t>(number);
    }
  }
  return hops;
}

HopHistogram ParseHistogram(const std::string& exposition, const std::string& family) {
  HopHistogram h;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, family)) continue;
    const size_t open = line.find('{');
    const size_t close = line.find('}');
    const absl::string_view suffix = line.substr(0, std::min(open, line.find(' ')));
    double number = 0;
    if (suffix == "_bucket") {
      if (open == absl::string_view::npos || close == absl::string_view::npos) continue;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(line.substr(close + 1)), &number)) continue;
      const std::string le = Label(line.substr(open, close - open + 1), "le");
      double bound = std::numeric_limits<double>::infinity();
      if (le != "+Inf" && !absl::SimpleAtod(le, &bound)) continue;
      h.cumulative.emplace_back(bound, static_cast<uint64_t>(number));
      continue;
    }
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(line.substr(suffix.size())), &number)) {
      continue;
    }
    if (suffix == "_sum") h.sum_seconds = number;
    if (suffix == "_count") h.count = static_cast<uint64_t>(number);
  }
  return h;
}

double ParseSample(const std::string& exposition, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || line.empty() || line[0] != ' ') continue;
    double number = 0;
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(line), &number)) return number;
  }
  return -1;
}

HopHistogram Subtract(const HopHistogram& after, const HopHistogram& before) {
  HopHistogram delta = after;
  if (before.cumulative.size() != after.cumulative.size()) return delta;
  for (size_t i = 0; i < delta.cumulative.size(); ++i)
    delta.cumulative[i].second -= before.cumulative[i].second;
  delta.sum_seconds -= before.sum_seconds;
  delta.count -= before.count;
  return delta;
}

absl::StatusOr<BrokerHops> ScrapeBrokerHops(const std::string& http_address) {
  absl::StatusOr<std::string> body = HttpGetBody(http_address, "/metrics");
  if (!body.ok()) return body.status();
  return ParseBrokerHops(*body);
}

BrokerHops Subtract(const BrokerHops& after, const BrokerHops& before) {
  BrokerHops delta = after;
  for (auto& [hop, h] : delta) {
    if (auto it = before.find(hop); it != before.end()) h = Subtract(h, it->second);
  }
  return delta;
}

std::string BrokerHopsTable(const BrokerHops& hops) {
  std::string out =
      "| broker hop | samples | mean | p50 | p90 | p99 |\n|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const HopHistogram& h) {
    if (h.count == 0) return;
    const double mean = h.sum_seconds / static_cast<double>(h.count);
    absl::StrAppendFormat(&out, "| %s | %d | %.0f us | %.0f us | %.0f us | %.0f us |\n", name,
                          h.count, 1e6 * mean, 1e6 * h.QuantileSeconds(0.5),
                          1e6 * h.QuantileSeconds(0.9), 1e6 * h.QuantileSeconds(0.99));
  };
  for (const char* name : kHopOrder) {
    if (auto it = hops.find(name); it != hops.end()) row(name, it->second);
  }
  for (const auto& [name, h] : hops) {
    bool listed = false;
    for (const char* known : kHopOrder)
      listed = listed || name == known;
    if (!listed) row(name, h);
  }
  return out;
}

}  // namespace choreo::bench
