#include "broker/group/group_log.h"

#include <memory>

namespace choreo::broker {

spdlog::logger& GroupLog() {
  // Created like the loggers in broker/logging.cc: from the default logger's sinks and level, and
  // registered so that spdlog::set_level() reaches it.
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("group")) return existing;
    auto created = spdlog::default_logger()->clone("group");
    try {
      spdlog::initialize_logger(created);
    } catch (const spdlog::spdlog_ex&) {
      if (auto existing = spdlog::get("group")) return existing;
    }
    return created;
  }();
  return *logger;
}

}  // namespace choreo::broker
