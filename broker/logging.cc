#include "broker/logging.h"

#include <string>

namespace choreo::broker {
namespace {

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::default_logger()->clone(name);
  // initialize_logger applies the global level/formatter and registers the logger, so
  // spdlog::set_level() from main reaches it.
  try {
    spdlog::initialize_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered the same name first; use that one.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return logger;
}

}  // namespace

spdlog::logger& BrokerLog() {
  static const std::shared_ptr<spdlog::logger> logger = MakeLogger("broker");
  return *logger;
}

spdlog::logger& NetLog() {
  static const std::shared_ptr<spdlog::logger> logger = MakeLogger("net");
  return *logger;
}

spdlog::logger& HandlerLog() {
  static const std::shared_ptr<spdlog::logger> logger = MakeLogger("handlers");
  return *logger;
}

spdlog::logger& ProtobufLog() {
  static const std::shared_ptr<spdlog::logger> logger = MakeLogger("protobuf");
  return *logger;
}

}  // namespace choreo::broker
