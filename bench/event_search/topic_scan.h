// The search a broker without an index leaves to its tools (every Kafka UI does this): read the
// topic from the beginning and keep the records whose headers match.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo::bench {

// A matching record's position and its ce_time (ms).
struct ScanHit {
  uint32_t partition = 0;
  int64_t offset = 0;
  int64_t time_ms = 0;
  bool operator==(const ScanHit&) const = default;
};

struct ScanResult {
  int64_t records_read = 0;
  double seconds = 0;
  std::vector<ScanHit> hits;  // in the order read
};

// Reads every partition of `topic` from `starts` (its log start offset where absent) up to its
// high watermark at the call, through one Consumer, and passes each record to `match`. Errors:
// the client's.
Result<ScanResult> ScanTopic(const ClientOptions& client, const std::string& topic,
                             const std::map<uint32_t, int64_t>& starts,
                             const std::function<bool(const ConsumedRecord&)>& match);

// The value of header `key` in `record`, or nullptr.
const std::string* HeaderValue(const Record& record, std::string_view key);

}  // namespace choreo::bench
