// Runs several coroutines concurrently on one strand and waits for all of them: a Kafka produce
// names many partitions, and their appends should share group commits rather than wait for one
// another.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "broker/logging.h"

namespace choreo::broker {

// `tasks` run on `executor` (the caller's strand); returns once every one has finished. A task
// that throws is logged and counts as finished. Tasks may borrow the caller's locals.
inline asio::awaitable<void> RunAll(asio::any_io_executor executor,
                                    std::vector<std::function<asio::awaitable<void>()>> tasks) {
  if (tasks.size() == 1) {
    co_await tasks.front()();
    co_return;
  }
  struct State {
    explicit State(asio::any_io_executor ex) : done(std::move(ex)) {}
    size_t remaining = 0;
    asio::steady_timer done;
  };
  auto state = std::make_shared<State>(executor);
  state->remaining = tasks.size();
  state->done.expires_at(asio::steady_timer::time_point::max());
  for (auto& task : tasks) {
    asio::co_spawn(executor, task(), [state](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          HandlerLog().error("event=error error=\"{}\"", e.what());
        } catch (...) {
          HandlerLog().error("event=error error=\"non-standard exception\"");
        }
      }
      if (--state->remaining == 0) state->done.cancel();
    });
  }
  // Everything is on one strand: a task that finished inline has already counted itself.
  if (state->remaining > 0) {
    asio::error_code ignored;
    co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace choreo::broker
