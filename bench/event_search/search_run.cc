#include "search_run.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/common/latency_report.h"
#include "bench/common/saga_envelope_source.h"
#include "choreo/common/rfc3339.h"
#include "index_lookups.h"
#include "topic_scan.h"

namespace choreo::bench {
namespace {

// Events per page of a type query: the broker's default page, what `choreo events find` shows.
constexpr size_t kTypePage = 100;

enum Kind { kSaga, kEventId, kTypeSince, kTypeSinceSeek, kKinds };

constexpr std::array<const char*, kKinds> kKindNames = {"saga id", "event id", "type since T",
                                                        "type since T (scan from T's offsets)"};

uint64_t NextRandom(uint64_t& state) {  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

// Random questions about what the fill produced.
class Questions {
 public:
  explicit Questions(const FillResult& fill) : fill_(fill) {}

  EventQuery Next(Kind kind) {
    EventQuery q;
    const uint64_t r = NextRandom(state_);
    switch (kind) {
      case kSaga:
        q.by = EventLookup::kSaga;
        q.value = fill_.saga_ids[r % fill_.saga_ids.size()];
        break;
      case kEventId:
        q.by = EventLookup::kEventId;
        q.value = fill_.event_ids[r % fill_.event_ids.size()];
        break;
      default: {
        const std::vector<std::string>& types = SagaEnvelopeSource::Types();
        q.by = EventLookup::kType;
        q.value = types[r % types.size()];
        const int64_t span = std::max<int64_t>(fill_.last_time_ms - fill_.first_time_ms, 1);
        q.since_ms =
            fill_.first_time_ms + static_cast<int64_t>((r >> 8) % static_cast<uint64_t>(span));
        q.limit = kTypePage;
      }
    }
    return q;
  }

 private:
  const FillResult& fill_;
  uint64_t state_ = 0x0DDB1A5E5BAD5EEDull;
};

// What a tool without an index filters on: the same headers.
bool Matches(const EventQuery& q, const ConsumedRecord& r) {
  switch (q.by) {
    case EventLookup::kSaga: {
      const std::string* v = HeaderValue(r.record, "ce_correlationid");
      return v != nullptr && *v == q.value;
    }
    case EventLookup::kEventId: {
      const std::string* v = HeaderValue(r.record, "ce_id");
      return v != nullptr && *v == q.value;
    }
    case EventLookup::kType: {
      const std::string* v = HeaderValue(r.record, "ce_type");
      if (v == nullptr || *v != q.value) return false;
      const std::string* time = HeaderValue(r.record, "ce_time");
      std::optional<int64_t> ms = time ? ParseRfc3339Millis(*time) : std::nullopt;
      return ms.value_or(r.record.timestamp_ms) >= q.since_ms;
    }
    case EventLookup::kKey:
      return r.record.key == q.value;
  }
  return false;
}

// Per partition, the first offset with a timestamp >= since_ms (past the end where none).
Result<std::map<uint32_t, int64_t>> OffsetsForTime(Admin& admin, const SearchBenchOptions& o,
                                                   int64_t since_ms) {
  std::map<uint32_t, int64_t> starts;
  for (uint32_t p = 0; p < o.partitions; ++p) {
    Result<int64_t> offset = admin.ListOffset({o.topic, p}, OffsetSpec::kTimestamp, since_ms);
    if (!offset.ok()) return offset.status();
    starts[p] = *offset >= 0 ? *offset : std::numeric_limits<int64_t>::max();
  }
  return starts;
}

std::string LookupLine(const char* name, const LookupStats& s) {
  return absl::StrFormat("index, %-12s %d queries, %.1f events each (%d empty, %d errors): %s\n",
                         std::string(name) + ":", s.queries,
                         s.queries ? static_cast<double>(s.events) / s.queries : 0.0, s.empty,
                         s.errors, LatencyText(s.latency));
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v)
    sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

}  // namespace

bool RunSearches(const SearchBenchOptions& options, const ClientOptions& client, Admin& admin,
                 const FillResult& fill, std::ostream& out) {
  if (fill.saga_ids.empty() || fill.event_ids.empty()) return false;
  bool ok = true;
  Questions questions(fill);

  std::array<LookupStats, kTypeSince + 1> lookups;
  for (Kind kind : {kSaga, kEventId, kTypeSince}) {
    lookups[kind] = TimeLookups(admin, options.lookups, [&](int) { return questions.Next(kind); });
    out << LookupLine(kKindNames[kind], lookups[kind]) << std::flush;
    ok = ok && lookups[kind].errors == 0;
  }

  std::array<std::vector<double>, kKinds> scan_seconds;
  std::array<std::vector<double>, kKinds> scan_records;
  for (int round = 0; round < options.scan_rounds; ++round) {
    for (Kind kind : {kSaga, kEventId, kTypeSince, kTypeSinceSeek}) {
      const EventQuery q = questions.Next(kind == kTypeSinceSeek ? kTypeSince : kind);
      std::map<uint32_t, int64_t> starts;
      if (kind == kTypeSinceSeek) {
        auto offsets = OffsetsForTime(admin, options, q.since_ms);
        if (!offsets.ok()) {
          out << "scan: offsets for time: " << offsets.status().ToString() << "\n";
          ok = false;
          continue;
        }
        starts = *std::move(offsets);
      }
      auto scan = ScanTopic(client, options.topic, starts,
                            [&](const ConsumedRecord& r) { return Matches(q, r); });
      const bool paged = q.by == EventLookup::kType;
      auto index = IndexAnswer(admin, q, paged ? kTypePage : 100000);
      if (!scan.ok() || !index.ok()) {
        out << "scan " << kKindNames[kind] << ": "
            << (scan.ok() ? index.status() : scan.status()).ToString() << "\n";
        ok = false;
        continue;
      }
      const std::vector<ScanHit> answer =
          FirstByTime(scan->hits, paged ? kTypePage : scan->hits.size());
      const bool same = answer == *index;
      ok = ok && same;
      scan_seconds[kind].push_back(scan->seconds);
      scan_records[kind].push_back(static_cast<double>(scan->records_read));
      out << absl::StrFormat(
          "scan,  %-12s %d records read in %.2f s (%.0f rec/s), %d matches%s; same answer as the "
          "index: %s\n",
          std::string(kKindNames[kind]) + ":", scan->records_read, scan->seconds,
          PerSecond(scan->records_read, scan->seconds), scan->hits.size(),
          paged ? absl::StrFormat(", first %d by time kept", answer.size()) : "",
          same ? "yes" : absl::StrFormat("NO (index %d events)", index->size()));
      out << std::flush;
    }
  }

  out << "\n| query | index p50 | index p99 | scans (s) | records read per scan | mean scan / "
         "index p50 |\n|---|---|---|---|---|---|\n";
  for (Kind kind : {kSaga, kEventId, kTypeSince, kTypeSinceSeek}) {
    const LookupStats& l = lookups[kind == kTypeSinceSeek ? kTypeSince : kind];
    const double p50 = Ms(l.latency.PercentileNanos(0.50));
    std::string seconds;
    for (double s : scan_seconds[kind])
      absl::StrAppendFormat(&seconds, "%s%.2f", seconds.empty() ? "" : ", ", s);
    const double mean = Mean(scan_seconds[kind]);
    out << absl::StrFormat("| %s | %.2f ms | %.2f ms | %s | %.0f | %.0fx |\n", kKindNames[kind],
                           p50, Ms(l.latency.PercentileNanos(0.99)), seconds,
                           Mean(scan_records[kind]), p50 > 0 ? mean * 1000 / p50 : 0.0);
  }
  return ok;
}

}  // namespace choreo::bench
