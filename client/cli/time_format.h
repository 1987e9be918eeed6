// Times and durations as the `choreo` tool reads and writes them: durations like "10m" or
// "1h30m", --since as RFC 3339 or a duration ago, and ages like "3m12s".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "choreo/client/status.h"

namespace choreo::cli {

// Wall-clock time in ms since the Unix epoch.
int64_t NowMs();

// A duration written as one or more NUMBER UNIT terms, largest first or in any order: "500ms",
// "45s", "10m", "2h", "1d", "1h30m". Units: ms, s, m, h, d. Errors (kInvalidArgument, naming
// `flag`): no unit, an unknown unit, an empty text, or a total beyond about 290 million years.
Result<int64_t> ParseDurationMs(std::string_view flag, std::string_view text);

// A duration in the form ParseDurationMs reads, exact, largest units first: "10m", "1h30m",
// "1d2h", "1500ms" is "1s500ms"; "0s" for 0.
std::string FormatDurationMs(int64_t ms);

// An age rounded down to the second, two units at most: "45s", "3m12s", "5h03m", "2d04h"
// (negative ages print as "0s").
std::string FormatAge(int64_t ms);

// A point in time given on the command line (--since): absolute, or a duration before now.
struct TimeBound {
  int64_t ms = 0;    // ms since the epoch, or the duration when `ago`
  bool ago = false;  // `ms` is a duration before the time the command runs

  int64_t Resolve(int64_t now_ms) const { return ago ? now_ms - ms : ms; }
  friend bool operator==(const TimeBound&, const TimeBound&) = default;
};

// RFC 3339 ("2026-12-04T10:15:30Z", any fraction, Z or +hh:mm) or a duration ago ("10m", "2h",
// see ParseDurationMs). Errors (kInvalidArgument) name `flag` and both accepted forms.
Result<TimeBound> ParseTimeBound(std::string_view flag, std::string_view text);

}  // namespace choreo::cli
