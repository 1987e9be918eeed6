// Conversions between the public record types and their wire form, and batch encoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// Milliseconds since the Unix epoch, from the system clock.
int64_t NowMs();

// Copies `record` into `out`; a timestamp of 0 becomes `now_ms`.
void ToProto(const Record& record, int64_t now_ms, proto::Record* out);

Record FromProto(const proto::Record& record);

// Encodes `records` (at least one) as one serialized RecordBatch, not idempotent
// (producer_id -1), timestamps of 0 set to now. Errors: kInvalidArgument for an empty list.
Result<std::string> EncodeRecords(const std::vector<Record>& records);

}  // namespace choreo::client_internal
