// The index side of choreo-event-search-bench: FindEvents queries, timed one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "bench/common/latency_histogram.h"
#include "choreo/client/admin.h"
#include "topic_scan.h"

namespace choreo::bench {

struct LookupStats {
  LatencyHistogram latency;  // request sent to page received, per query
  int64_t queries = 0;
  int64_t errors = 0;
  int64_t events = 0;  // returned over all queries
  int64_t empty = 0;   // queries that returned no event
};

// Sends `count` FindEvents requests, query i built by make(i), one after the other on `admin`'s
// connection, and times each (one page: query.limit events at most).
LookupStats TimeLookups(Admin& admin, int count, const std::function<EventQuery(int)>& make);

// Every event matching `query` (all pages, at most `max_events`) as scan hits, sorted by
// (time, partition, offset): the order the index returns one topic's events in.
Result<std::vector<ScanHit>> IndexAnswer(Admin& admin, EventQuery query, uint64_t max_events);

// `hits` sorted by (time, partition, offset), cut to the first `keep`.
std::vector<ScanHit> FirstByTime(std::vector<ScanHit> hits, size_t keep);

}  // namespace choreo::bench
