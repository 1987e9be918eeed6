#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "broker/handlers/fetch_grant.h"
#include "broker/handlers/fetch_read.h"
#include "broker/handlers/handlers.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/run_blocking.h"
#include "broker/topic/partition_waiters.h"

namespace choreo::broker {
namespace {

uint64_t ResponseBudget(BrokerServices& services, const proto::FetchRequest& fetch) {
  const uint64_t cap = services.options.max_fetch_bytes;
  if (fetch.max_bytes() == 0) return cap;  // unset: the broker's cap
  if (fetch.max_bytes() > cap) services.metrics.LimitHit(Limit::kMaxFetchBytes);
  return std::min<uint64_t>(fetch.max_bytes(), cap);
}

// Per-partition traffic counters, for the final pass only (earlier long-poll passes were
// discarded).
void CountFetched(BrokerServices& services,
                  const std::vector<std::optional<storage::TopicInfo>>& topics,
                  const FetchPass& pass) {
  for (int i = 0; i < pass.response.partitions_size(); ++i) {
    const proto::FetchPartitionResponse& p = pass.response.partitions(i);
    if (!topics[i] || p.batches_size() == 0) continue;
    uint64_t bytes = 0;
    for (const proto::FetchedBatch& batch : p.batches())
      bytes += batch.batch().size();
    services.metrics.partitions()
        .Get(topics[i]->id, p.partition())
        ->Fetched(bytes, pass.records[i]);
  }
}

// An answer with every requested partition and no data.
FetchPass EmptyPass(const proto::FetchRequest& fetch) {
  FetchPass pass;
  pass.records.resize(fetch.partitions_size());
  for (const proto::FetchRequest::Partition& p : fetch.partitions()) {
    proto::FetchPartitionResponse* out = pass.response.add_partitions();
    out->set_topic(p.topic());
    out->set_partition(p.partition());
  }
  return pass;
}

std::chrono::milliseconds MaxWait(const BrokerOptions& options, const proto::FetchRequest& fetch) {
  const auto cap = absl::ToChronoMilliseconds(options.max_fetch_wait);
  return std::min(std::chrono::milliseconds(fetch.max_wait_ms()), cap);
}

}  // namespace

asio::awaitable<proto::Response> HandleFetch(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::FetchRequest& fetch = request.fetch();
  const uint64_t budget = ResponseBudget(services, fetch);
  const auto deadline = std::chrono::steady_clock::now() + MaxWait(services.options, fetch);

  // Topics are resolved once; a topic created during the poll is picked up by the next fetch.
  std::vector<std::optional<storage::TopicInfo>> topics;
  topics.reserve(fetch.partitions_size());
  for (const auto& p : fetch.partitions())
    topics.push_back(services.topics.Find(p.topic()));

  // Register before the first read so that no commit between read and wait is missed.
  auto waiter = std::make_shared<Waiter>(ctx.executor);
  WaiterRegistration registration(services.waiters, waiter);
  const bool may_wait = fetch.min_bytes() > 0 && deadline > std::chrono::steady_clock::now();
  if (may_wait) {
    for (int i = 0; i < fetch.partitions_size(); ++i) {
      if (topics[i] && fetch.partitions(i).partition() < topics[i]->config.partitions)
        registration.Add(topics[i]->id, fetch.partitions(i).partition());
    }
  }
  ParkGuard park(ctx.connection, waiter);

  FetchPass pass;
  Histogram& read_hop = services.metrics.hop(Hop::kFetchRead);
  // Each pass reads within a grant of broker-wide fetch memory, kept for the bytes read until the
  // session has written the response.
  FetchMemoryHold hold(services.fetch_memory);
  uint64_t least = 1;  // the smallest grant a pass can use; raised by a batch over its grant
  while (true) {
    if (!co_await AcquireFetchMemory(ctx, least, std::max(least, budget), hold)) {
      pass = EmptyPass(fetch);  // the connection is closing: answer at once, with nothing read
      break;
    }
    const uint64_t grant = hold.bytes();
    waiter->Rearm();
    const auto read_start = std::chrono::steady_clock::now();
    pass = ReadPartitions(services, fetch, topics, grant, storage::ReadTier::kMemoryOnly);
    if (pass.needs_io) {
      pass = co_await RunBlocking(services.blocking, [&] {
        return ReadPartitions(services, fetch, topics, grant, storage::ReadTier::kMayBlock);
      });
    }
    read_hop.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count());
    if (pass.bytes > grant) {
      // The first batch is returned whole even over the limit. If the rest of it is not free,
      // give everything back and wait in line for a grant that covers the batch.
      if (!services.fetch_memory.TryCharge(pass.bytes - grant)) {
        hold.ShrinkTo(0);
        least = pass.bytes;
        continue;
      }
      hold.Add(pass.bytes - grant);
    }
    hold.ShrinkTo(pass.bytes);
    const bool done = registration.empty() || pass.bytes >= fetch.min_bytes() || pass.any_error ||
                      ctx.connection.closing() || std::chrono::steady_clock::now() >= deadline;
    if (done) break;
    // The next pass reads afresh: a long poll holds no memory while it waits for data.
    hold.ShrinkTo(0);
    co_await waiter->WaitUntil(deadline);
    if (std::optional<std::chrono::steady_clock::time_point> woken = waiter->woken_at()) {
      services.metrics.hop(Hop::kFetchWake)
          .Observe(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - *woken).count());
    }
  }

  CountFetched(services, topics, pass);
  proto::Response response;
  *response.mutable_fetch() = std::move(pass.response);
  ctx.fetch_memory_held = hold.Take();
  co_return response;
}

}  // namespace choreo::broker
