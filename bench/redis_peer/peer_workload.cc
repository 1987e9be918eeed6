#include "bench/redis_peer/peer_workload.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/common/latency_report.h"
#include "bench/common/value_source.h"
#include "bench/redis_peer/redis_streams.h"

namespace choreo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A paced XADD starting later than this after its due time counts as late (PeerSummary::sent_late).
constexpr auto kLateAfter = std::chrono::milliseconds(1);

// Counters shared by the workload threads and the once-a-second progress line.
struct PeerStats {
  std::atomic<int64_t> produced{0};
  std::atomic<int64_t> produce_errors{0};
  std::atomic<int64_t> sent_late{0};
  std::atomic<int64_t> consumed{0};
  std::atomic<int64_t> consumed_bytes{0};
  std::atomic<int64_t> consume_errors{0};
  std::atomic<int> consumers_running{0};

  std::mutex latency_mu;
  LatencyHistogram latency;           // whole run
  LatencyHistogram latency_interval;  // since the last progress line
};

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int64_t Nanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// choreo-bench's RunProducer loop, with a synchronous XADD where choreo's producer has Send. Stops
// at the first error (a connection hiredis reports broken stays broken).
void RunProducer(const PeerOptions& options, int index, double rate, const std::atomic<bool>& stop,
                 PeerStats& stats) {
  auto connection = StreamConnection::Connect(options.redis);
  if (!connection.ok()) {
    std::cerr << "producer " << index << ": " << connection.status() << "\n";
    stats.produce_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::vector<std::string> streams;
  for (uint32_t p = 0; p < options.partitions; ++p)
    streams.push_back(StreamName(options, p));
  uint64_t random_state = 0x9E3779B97F4A7C15ull * (index + 1);
  ValueSource values(static_cast<size_t>(options.record_bytes), random_state);
  std::string value;
  size_t stream = static_cast<size_t>(index) % streams.size();
  const auto start = Clock::now();
  for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
    Clock::time_point now;
    if (rate > 0) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(i / rate));
      std::this_thread::sleep_until(due);
      now = Clock::now();
      if (now - due > kLateAfter) stats.sent_late.fetch_add(1, std::memory_order_relaxed);
    } else {
      now = Clock::now();
    }
    const int64_t sent_at = Nanos(now);
    value.assign(values.Next());
    std::memcpy(value.data(), &sent_at, sizeof(sent_at));
    absl::Status added = (*connection)->Add(streams[stream], value);
    stream = (stream + 1) % streams.size();
    if (!added.ok()) {
      std::cerr << "producer " << index << ": " << added << "\n";
      stats.produce_errors.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    stats.produced.fetch_add(1, std::memory_order_relaxed);
  }
}

// choreo-bench's RunConsumer loop: the clock is read once per XREAD reply, after it has arrived.
void RunConsumer(const PeerOptions& options, int index, const std::atomic<bool>& stop,
                 PeerStats& stats) {
  auto connection = StreamConnection::Connect(options.redis);
  if (!connection.ok()) {
    std::cerr << "consumer " << index << ": " << connection.status() << "\n";
    stats.consume_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  StreamConnection::ReadCursor cursor;
  for (uint32_t p = 0; p < options.partitions; ++p) {
    if (static_cast<int>(p % options.consumers) != index) continue;
    cursor.streams.push_back(StreamName(options, p));
    cursor.last_ids.push_back("0");  // the run's streams are new: every entry is the run's
  }
  if (cursor.streams.empty()) return;

  LatencyHistogram local;
  while (!stop.load(std::memory_order_relaxed)) {
    int64_t now = 0;
    int64_t bytes = 0;
    auto received =
        (*connection)
            ->Read(cursor, options.read_count, options.block_ms, [&](std::string_view value) {
              if (now == 0) now = NowNanos();
              bytes += static_cast<int64_t>(value.size());
              if (value.size() < sizeof(int64_t)) return;
              int64_t sent_at;
              std::memcpy(&sent_at, value.data(), sizeof(sent_at));
              local.Record(now - sent_at);
            });
    if (!received.ok()) {
      std::cerr << "consumer " << index << ": " << received.status() << "\n";
      stats.consume_errors.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (*received == 0) continue;
    {
      std::lock_guard<std::mutex> lock(stats.latency_mu);
      stats.latency.Merge(local);
      stats.latency_interval.Merge(local);
    }
    local.Reset();
    stats.consumed.fetch_add(*received, std::memory_order_relaxed);
    stats.consumed_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
}

// Prints a progress line a second on stderr until `done` returns true.
template <typename Done>
void Monitor(PeerStats& stats, Done done) {
  const auto start = Clock::now();
  auto last = start;
  int64_t last_produced = stats.produced, last_consumed = stats.consumed;
  while (!done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto now = Clock::now();
    if (now - last < std::chrono::seconds(1)) continue;
    const double dt = Seconds(now - last);
    const int64_t produced = stats.produced, consumed = stats.consumed;
    LatencyHistogram interval;
    {
      std::lock_guard<std::mutex> lock(stats.latency_mu);
      interval = stats.latency_interval;
      stats.latency_interval.Reset();
    }
    fprintf(stderr, "[%4.0fs] produce %10.0f rec/s | consume %10.0f rec/s%s\n",
            Seconds(now - start), (produced - last_produced) / dt, (consumed - last_consumed) / dt,
            LatencyProgress(interval).c_str());
    last = now;
    last_produced = produced;
    last_consumed = consumed;
  }
}

// Waits until consumers hold every acknowledged record, made no progress for 60 s, or all failed.
Clock::time_point AwaitConsumers(PeerStats& stats) {
  auto end = Clock::now();
  int64_t last_seen = -1;
  auto last_progress = Clock::now();
  Monitor(stats, [&] {
    const int64_t consumed = stats.consumed;
    end = Clock::now();
    if (consumed != last_seen) {
      last_seen = consumed;
      last_progress = end;
    }
    if (consumed >= stats.produced || stats.consumers_running == 0) return true;
    if (end - last_progress > std::chrono::seconds(60)) {
      std::cerr << "consumers made no progress for 60 s; stopping\n";
      return true;
    }
    return false;
  });
  return end;
}

}  // namespace

int64_t NowNanos() {
  return Nanos(Clock::now());
}

std::string StreamName(const PeerOptions& options, uint32_t partition) {
  return options.stream_prefix + "-" + std::to_string(partition);
}

PeerSummary RunPeerWorkload(const PeerOptions& options,
                            const std::function<void()>& on_produce_end) {
  PeerStats stats;
  std::atomic<bool> stop_producers{false};
  std::atomic<bool> stop_consumers{false};
  std::atomic<int> producers_running{options.producers};
  stats.consumers_running = options.consumers;
  std::vector<std::thread> consumers;
  for (int c = 0; c < options.consumers; ++c) {
    consumers.emplace_back([&, c] {
      RunConsumer(options, c, stop_consumers, stats);
      --stats.consumers_running;
    });
  }
  const auto produce_start = Clock::now();
  auto produce_end = produce_start;
  std::vector<std::thread> producers;
  for (int p = 0; p < options.producers; ++p) {
    producers.emplace_back([&, p] {
      RunProducer(options, p, options.rate / options.producers, stop_producers, stats);
      if (--producers_running == 0) produce_end = Clock::now();
    });
  }
  const auto deadline = produce_start + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(options.duration_s));
  Monitor(stats, [&] {
    if (Clock::now() >= deadline) stop_producers = true;
    return producers_running == 0;
  });
  for (std::thread& t : producers)
    t.join();
  on_produce_end();

  const auto consume_end = AwaitConsumers(stats);
  stop_consumers = true;
  for (std::thread& t : consumers)
    t.join();

  PeerSummary summary;
  summary.produce_seconds = Seconds(produce_end - produce_start);
  summary.produced = stats.produced;
  summary.produce_errors = stats.produce_errors;
  summary.sent_late = stats.sent_late;
  summary.consume_seconds = Seconds(consume_end - produce_start);
  summary.consumed = stats.consumed;
  summary.consumed_bytes = stats.consumed_bytes;
  summary.consume_errors = stats.consume_errors;
  summary.latency = stats.latency;
  return summary;
}

}  // namespace choreo::bench
