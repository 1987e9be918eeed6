// Awaitable bridges from network coroutines to work that must not run on a network thread:
// blocking storage calls (run on a thread pool) and storage appends (completed on the committer
// thread). Both resume the awaiting coroutine on its own executor (the session strand), so
// handler code never touches session state from a foreign thread.
#pragma once

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace choreo::broker {

// Runs `fn()` on `pool` and returns its result to the awaiting coroutine. `fn` must not throw.
template <typename Fn>
asio::awaitable<std::invoke_result_t<Fn>> RunBlocking(asio::thread_pool& pool, Fn fn) {
  using Result = std::invoke_result_t<Fn>;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(Result)>(
      [&pool, fn = std::move(fn)](auto handler) mutable {
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler)]() mutable {
          Result result = fn();
          auto executor = asio::get_associated_executor(handler);
          asio::post(executor,
                     [handler = std::move(handler), result = std::move(result)]() mutable {
                       std::move(handler)(std::move(result));
                     });
        });
      },
      asio::use_awaitable);
}

// Adapts a callback-style operation to an awaitable. `start(callback)` must arrange for
// `callback(Result)` to be called exactly once, from any thread; the coroutine resumes on its own
// executor.
template <typename Result, typename Start>
asio::awaitable<Result> AwaitCallback(Start start) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(Result)>(
      [start = std::move(start)](auto handler) mutable {
        // The callback is a std::function in the storage API, so it must be copyable; the
        // awaitable handler is move-only, hence the shared holder.
        auto holder = std::make_shared<decltype(handler)>(std::move(handler));
        start([holder](Result result) mutable {
          auto executor = asio::get_associated_executor(*holder);
          asio::post(executor, [holder, result = std::move(result)]() mutable {
            std::move (*holder)(std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace choreo::broker
