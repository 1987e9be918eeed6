#include "index_lookups.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace choreo::bench {

LookupStats TimeLookups(Admin& admin, int count, const std::function<EventQuery(int)>& make) {
  LookupStats stats;
  for (int i = 0; i < count; ++i) {
    const EventQuery query = make(i);
    const auto start = std::chrono::steady_clock::now();
    Result<EventPage> page = admin.FindEvents(query);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ++stats.queries;
    if (!page.ok()) {
      ++stats.errors;
      continue;
    }
    stats.latency.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    stats.events += static_cast<int64_t>(page->events.size());
    if (page->events.empty()) ++stats.empty;
  }
  return stats;
}

std::vector<ScanHit> FirstByTime(std::vector<ScanHit> hits, size_t keep) {
  std::sort(hits.begin(), hits.end(), [](const ScanHit& a, const ScanHit& b) {
    return std::tie(a.time_ms, a.partition, a.offset) < std::tie(b.time_ms, b.partition, b.offset);
  });
  if (hits.size() > keep) hits.resize(keep);
  return hits;
}

Result<std::vector<ScanHit>> IndexAnswer(Admin& admin, EventQuery query, uint64_t max_events) {
  Result<EventPage> page = admin.FindEventsUpTo(std::move(query), max_events);
  if (!page.ok()) return page.status();
  std::vector<ScanHit> hits;
  hits.reserve(page->events.size());
  for (const IndexedEvent& e : page->events)
    hits.push_back({.partition = e.partition, .offset = e.offset, .time_ms = e.time_ms});
  const size_t all = hits.size();
  return FirstByTime(std::move(hits), all);
}

}  // namespace choreo::bench
