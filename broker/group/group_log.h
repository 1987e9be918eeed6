// The "group" logger: membership changes (joins, leaves, removals) of consumer groups. One line
// per change, never per heartbeat.
#pragma once

#include <spdlog/spdlog.h>

namespace choreo::broker {

spdlog::logger& GroupLog();

}  // namespace choreo::broker
