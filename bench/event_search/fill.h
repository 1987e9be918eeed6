// The fill of choreo-event-search-bench: enveloped saga events produced into one topic, and a
// sample of what was produced to search for afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/status.h"
#include "search_options.h"

namespace choreo::bench {

struct FillResult {
  int64_t produced = 0;  // acknowledged records
  int64_t errors = 0;
  double seconds = 0;       // first send to last acknowledgement
  double record_bytes = 0;  // mean key + value + headers bytes of a record
  // Uniform samples (reservoir) of the saga ids and event ids produced.
  std::vector<std::string> saga_ids;
  std::vector<std::string> event_ids;
  int64_t first_time_ms = 0;  // ce_time of the first and last record
  int64_t last_time_ms = 0;
};

// Produces options.records enveloped records (SagaEnvelopeSource, one producer), printing
// progress a second on stderr, and keeps `samples` saga ids and event ids. Errors: the producer's
// (a record that failed is counted in `errors`, not returned).
Result<FillResult> FillTopic(const SearchBenchOptions& options, size_t samples);

}  // namespace choreo::bench
