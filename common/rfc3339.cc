#include "choreo/common/rfc3339.h"

#include <charconv>

namespace choreo {
namespace {

bool ParseInt(std::string_view text, int* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): timegm is not portable to
// every libc and mktime depends on the local time zone.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string FormatRfc3339Millis(int64_t time_ms) {
  // By hand rather than gmtime_r + snprintf: every published event needs one, and those two were
  // 3 % of a saga service's CPU (time zone conversion and printf's machinery).
  int64_t days = time_ms >= 0 ? time_ms / 86400000 : (time_ms - 86399999) / 86400000;
  int64_t ms_of_day = time_ms - days * 86400000;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[] = "0000-00-00T00:00:00.000Z";
  auto put = [&](size_t at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10)
      buf[at + i] = static_cast<char>('0' + value % 10);
  };
  if (year < 0 || year > 9999) return "0000-01-01T00:00:00.000Z";  // outside RFC 3339
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, ms_of_day / 3600000, 2);
  put(14, ms_of_day / 60000 % 60, 2);
  put(17, ms_of_day / 1000 % 60, 2);
  put(20, ms_of_day % 1000, 3);
  return std::string(buf, sizeof buf - 1);
}

std::optional<int64_t> ParseRfc3339Millis(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  if (text.size() < 20) return std::nullopt;
  int year, month, day, hour, minute, second;
  if (!ParseInt(text.substr(0, 4), &year) || text[4] != '-' ||
      !ParseInt(text.substr(5, 2), &month) || text[7] != '-' ||
      !ParseInt(text.substr(8, 2), &day) || (text[10] != 'T' && text[10] != 't') ||
      !ParseInt(text.substr(11, 2), &hour) || text[13] != ':' ||
      !ParseInt(text.substr(14, 2), &minute) || text[16] != ':' ||
      !ParseInt(text.substr(17, 2), &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d)
      millis *= 10;
  }
  int offset_minutes = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!ParseInt(zone.substr(1, 2), &oh) || !ParseInt(zone.substr(4, 2), &om)) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace choreo
