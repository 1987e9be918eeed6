// What choreo-redis-peer runs: choreo-bench's workload (bench/choreo_bench/workload.cc) on Redis
// Streams, with the same pacing, the same values and the same latency definition.
//
// One stream stands for one partition. Each producer thread has its own connection and sends one
// XADD per record, waiting for its reply before the next (as an application producing to Redis
// does; nothing pipelined), to the streams in turn. Each consumer thread has its own connection and
// reads its streams (p % consumers == index) with XREAD BLOCK from the first entry. The first 8
// bytes of every value carry the steady-clock time read just before the XADD; a consumer subtracts
// it from the time its XREAD returned: end-to-end latency, as choreo-bench measures it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bench/common/latency_histogram.h"

namespace choreo::bench {

struct PeerOptions {
  std::string redis = "127.0.0.1:6379";  // host:port
  std::string stream_prefix;             // streams are <stream_prefix>-<p>
  uint32_t partitions = 8;               // streams
  int producers = 1;
  int consumers = 1;
  int record_bytes = 100;  // value size; the first 8 bytes carry the send time
  double duration_s = 10;
  double rate = 0;        // records per second over all producers; 0: as fast as possible
  int read_count = 1000;  // XREAD COUNT
  int block_ms = 100;     // XREAD BLOCK (choreo-bench's consumers wait up to 100 ms per fetch)
};

struct PeerSummary {
  double produce_seconds = 0;
  int64_t produced = 0;  // acknowledged XADDs
  int64_t produce_errors = 0;
  // Paced records whose XADD started more than 1 ms after their due time: the producer fell behind
  // (a synchronous producer does when replies take longer than 1/rate), and their latency, measured
  // from the XADD, leaves out that wait.
  int64_t sent_late = 0;
  double consume_seconds = 0;
  int64_t consumed = 0;
  int64_t consumed_bytes = 0;
  int64_t consume_errors = 0;
  LatencyHistogram latency;  // send -> receive, every record
};

// Nanoseconds on the steady clock; embedded in each value so consumers can compute latency.
int64_t NowNanos();

// The stream names of a run.
std::string StreamName(const PeerOptions& options, uint32_t partition);

// Produces for `duration_s` while consumers read, then waits until the consumers hold every
// acknowledged record (giving up after 60 s without progress). Prints a progress line a second on
// stderr. `on_produce_end` runs on the calling thread once every producer has stopped, before the
// consumers are awaited (to sample the server's CPU).
PeerSummary RunPeerWorkload(const PeerOptions& options,
                            const std::function<void()>& on_produce_end);

}  // namespace choreo::bench
