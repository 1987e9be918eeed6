#include "client/cli/time_format.h"

#include <chrono>
#include <limits>

#include "choreo/saga/envelope.h"

namespace choreo::cli {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ms", 1}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};

Status BadDuration(std::string_view flag, std::string_view text, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument,
                "flag '--" + std::string(flag) + "' needs a duration such as 90s, 10m, 2h or " +
                    "1h30m, got '" + std::string(text) + "' (" + std::string(why) + ")");
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> ParseDurationMs(std::string_view flag, std::string_view text) {
  if (text.empty()) return BadDuration(flag, text, "empty");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t number = 0;
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      const int digit = text[pos] - '0';
      if (number > (kMax - digit) / 10) return BadDuration(flag, text, "too large");
      number = number * 10 + digit;
      ++pos;
    }
    if (pos == digits_start) return BadDuration(flag, text, "a number must come first");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(pos).starts_with(u.name)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      return BadDuration(flag, text, pos == text.size() ? "no unit" : "unknown unit");
    }
    pos += unit->name.size();
    if (number > (kMax - total) / unit->ms) return BadDuration(flag, text, "too large");
    total += number * unit->ms;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  if (ms < 0) {
    return "-" + FormatDurationMs(ms == std::numeric_limits<int64_t>::min()
                                      ? std::numeric_limits<int64_t>::max()
                                      : -ms);
  }
  std::string out;
  for (const Unit& unit : {kUnits[1], kUnits[2], kUnits[3], kUnits[4], kUnits[0]}) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms) + std::string(unit.name);
      ms %= unit.ms;
    }
  }
  return out;
}

std::string FormatAge(int64_t ms) {
  const int64_t s = ms < 0 ? 0 : ms / 1000;
  auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + two(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h" + two(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d" + two(s % 86400 / 3600) + "h";
}

Result<TimeBound> ParseTimeBound(std::string_view flag, std::string_view text) {
  // RFC 3339 starts with a four-digit year and a '-'; a duration never has a '-'.
  if (text.find('-') != std::string_view::npos) {
    Result<int64_t> ms = saga::ParseRfc3339(text);
    if (!ms.ok()) {
      return Status(
          ErrorCode::kInvalidArgument,
          "flag '--" + std::string(flag) + "' needs an RFC 3339 time such as " +
              "2026-12-04T10:15:30Z or a duration ago such as 10m: " + ms.status().message());
    }
    return TimeBound{*ms, false};
  }
  Result<int64_t> ago = ParseDurationMs(flag, text);
  if (!ago.ok()) {
    return Status(
        ErrorCode::kInvalidArgument,
        ago.status().message() + "; an RFC 3339 time such as 2026-12-04T10:15:30Z " + "works too");
  }
  return TimeBound{*ago, true};
}

}  // namespace choreo::cli
