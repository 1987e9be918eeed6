// RFC 3339 timestamps with millisecond precision, by hand: every saga event carries one (ce_time),
// and the broker reads it for every indexed record, so neither side can afford strftime/strptime
// and their time-zone machinery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace choreo {

// "2026-12-04T10:15:30.123Z" (UTC, always milliseconds). Times outside years 0000-9999 are
// clamped to "0000-01-01T00:00:00.000Z".
std::string FormatRfc3339Millis(int64_t time_ms);

// Milliseconds since the Unix epoch of "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" (digits
// of the fraction beyond milliseconds are dropped); nullopt if `text` is not that.
std::optional<int64_t> ParseRfc3339Millis(std::string_view text);

}  // namespace choreo
