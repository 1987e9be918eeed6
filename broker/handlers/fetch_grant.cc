#include "broker/handlers/fetch_grant.h"

#include <asio/post.hpp>

#include <chrono>
#include <memory>

#include "broker/metrics/broker_metrics.h"
#include "broker/topic/partition_waiters.h"

namespace choreo::broker {

asio::awaitable<bool> AcquireFetchMemory(RequestContext& ctx, uint64_t min, uint64_t want,
                                         FetchMemoryHold& hold) {
  FetchMemory& memory = ctx.services.fetch_memory;
  if (const uint64_t granted = memory.TryAcquire(min, want); granted > 0) {
    hold.Add(granted);
    co_return true;
  }
  ctx.services.metrics.LimitHit(Limit::kFetchMemoryBytes);

  // Strand-owned: the grant arrives from a releasing thread by a post to the strand.
  struct Pending {
    uint64_t granted = 0;
    bool abandoned = false;  // the fetch stopped waiting; a late grant goes straight back
  };
  auto pending = std::make_shared<Pending>();
  auto waiter = std::make_shared<Waiter>(ctx.executor);
  const FetchMemory::Ticket ticket =
      memory.Acquire(min, want, [pending, waiter, &memory, executor = ctx.executor](uint64_t n) {
        asio::post(executor, [pending, waiter, &memory, n] {
          if (pending->abandoned) {
            memory.Release(n);
            return;
          }
          pending->granted = n;
          waiter->Wake();
        });
      });
  ParkGuard park(ctx.connection, waiter);  // a closing connection stops the wait
  while (pending->granted == 0 && !ctx.connection.closing()) {
    co_await waiter->WaitUntil(std::chrono::steady_clock::time_point::max());
    waiter->Rearm();
  }
  if (pending->granted > 0) {
    hold.Add(pending->granted);
    co_return true;
  }
  // Closing. Either the request is still queued, or its grant is already posted to this strand.
  if (!memory.Cancel(ticket)) pending->abandoned = true;
  co_return false;
}

}  // namespace choreo::broker
