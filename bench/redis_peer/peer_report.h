// choreo-redis-peer's summary, as text in choreo-bench's shape or as one JSON object.
#pragma once

#include <string>

#include "bench/redis_peer/peer_workload.h"

namespace choreo::bench {

// What the run learned from the server itself (INFO, CONFIG GET); -1 where unknown.
struct ServerFigures {
  std::string version;       // redis_version
  std::string persistence;   // "appendonly=yes appendfsync=everysec"
  double cpu_seconds = -1;   // CPU (user + system, all threads) used while producers ran
  double rss_bytes = -1;     // used_memory_rss at the end
  double aof_rewrites = -1;  // AOF rewrites that ran during the run
};

// The lines "produce: ...", "consume: ..." and "end-to-end latency: ..." read as choreo-bench's.
std::string SummaryText(const PeerOptions& options, const ServerFigures& server,
                        const PeerSummary& summary);
// Field names as choreo-bench --json's where they mean the same.
std::string SummaryJson(const PeerOptions& options, const ServerFigures& server,
                        const PeerSummary& summary);

}  // namespace choreo::bench
