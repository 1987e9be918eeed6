// Conversions between the public record types and their wire form.
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
// As above, moving the strings.
void ToProto(Record&& record, int64_t now_ms, proto::Record* out);

Record FromProto(const proto::Record& record);

}  // namespace choreo::client_internal
