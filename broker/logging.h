// Named spdlog loggers of the broker, one per subsystem, so `--log-level` and per-logger levels
// apply uniformly. Loggers are created on first use from the default logger's sinks and level.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace choreo::broker {

// "broker": start-up, shutdown, component wiring.
spdlog::logger& BrokerLog();
// "net": connection open/close, accept errors. Never per message.
spdlog::logger& NetLog();
// "handlers": unexpected request-handling failures (storage errors, exceptions).
spdlog::logger& HandlerLog();
// "protobuf": the protobuf library's own lines (protobuf_log.h), rate limited.
spdlog::logger& ProtobufLog();

}  // namespace choreo::broker
