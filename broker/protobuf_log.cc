#include "broker/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

#include "broker/log_rate_limiter.h"
#include "broker/logging.h"

namespace choreo::broker {
namespace {

LogRateLimiter& Limiter() {
  static LogRateLimiter limiter(kProtobufLogLinesPerSecond);
  return limiter;
}

spdlog::level::level_enum LevelOf(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return spdlog::level::info;
    case google::protobuf::LOGLEVEL_WARNING:
      return spdlog::level::warn;
    case google::protobuf::LOGLEVEL_ERROR:
      return spdlog::level::err;
    case google::protobuf::LOGLEVEL_FATAL:
      return spdlog::level::critical;
  }
  return spdlog::level::err;
}

void HandleProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                       const std::string& message) {
  const spdlog::level::level_enum spdlog_level = LevelOf(level);
  spdlog::logger& log = ProtobufLog();
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    log.critical("{} ({}:{})", message, filename, line);
    log.flush();
    return;
  }
  // Checked before the limiter so that lines nobody would see do not use up the budget.
  if (!log.should_log(spdlog_level)) return;
  const LogRateLimiter::Decision decision = Limiter().Admit(LogRateLimiter::Clock::now());
  if (!decision.log) return;
  if (decision.suppressed_before > 0) {
    log.log(spdlog_level, "{} ({}:{}; {} earlier protobuf log lines suppressed, at most {}/s)",
            message, filename, line, decision.suppressed_before, kProtobufLogLinesPerSecond);
  } else {
    log.log(spdlog_level, "{} ({}:{})", message, filename, line);
  }
}

}  // namespace

void RouteProtobufLogs() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&HandleProtobufLog); });
}

}  // namespace choreo::broker
