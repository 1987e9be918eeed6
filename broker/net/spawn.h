// co_spawn with a completion handler that logs an escaping exception instead of swallowing it
// (`detached` alone would hide it) or letting it unwind through io_context::run().
#pragma once

#include <asio/co_spawn.hpp>

#include <cstdint>
#include <exception>
#include <utility>

#include "broker/logging.h"

namespace choreo::broker {

// `what` (a string literal) and `connection_id` name the coroutine in the log line.
template <typename Executor, typename Awaitable>
void SpawnLogged(Executor executor, Awaitable awaitable, const char* what, uint64_t connection_id) {
  asio::co_spawn(
      std::move(executor), std::move(awaitable), [what, connection_id](std::exception_ptr error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          NetLog().error("conn {} {} failed: {}", connection_id, what, e.what());
        } catch (...) {
          NetLog().error("conn {} {} failed with a non-standard exception", connection_id, what);
        }
      });
}

}  // namespace choreo::broker
