// Routes the protobuf library's own log lines through the broker's logging.
//
// protobuf writes a line to stderr by itself for some inputs it rejects, notably one for every
// string field holding invalid UTF-8 in a message it parses: any client can send such a frame, as
// often as it likes. RouteProtobufLogs() installs a log handler (process-wide: protobuf has one)
// that sends these lines to the "protobuf" spdlog logger, at most kProtobufLogLinesPerSecond a
// second; the first line after a suppressed stretch says how many were dropped. FATAL lines are
// always logged (protobuf aborts after them).
#pragma once

#include <cstdint>

namespace choreo::broker {

inline constexpr uint32_t kProtobufLogLinesPerSecond = 10;

// Installs the handler. Idempotent and thread-safe; Broker::Start() calls it.
void RouteProtobufLogs();

}  // namespace choreo::broker
