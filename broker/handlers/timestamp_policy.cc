#include "broker/handlers/timestamp_policy.h"

#include <absl/strings/str_cat.h>

#include "choreo/proto/record_wire.h"

namespace choreo::broker {

proto::ErrorCode ApplyTimestampPolicy(const BrokerOptions& options, const storage::TopicInfo& topic,
                                      int64_t now_ms, std::string* batch,
                                      storage::BatchFields* fields, std::string* message) {
  if (topic.config.log_append_time) {
    proto::StampLogAppendTime(now_ms, batch);
    fields->max_timestamp_ms = now_ms;
    return proto::NONE;
  }
  if (options.max_timestamp_skew_ms < 0) return proto::NONE;
  // In int64 without overflow: a timestamp near INT64_MAX must be rejected, not wrap.
  const int64_t ahead = fields->max_timestamp_ms > now_ms ? fields->max_timestamp_ms - now_ms : 0;
  if (ahead <= options.max_timestamp_skew_ms) return proto::NONE;
  *message = absl::StrCat("batch max timestamp ", fields->max_timestamp_ms, " is ", ahead,
                          " ms ahead of the broker's clock (", now_ms, "); topic '", topic.name,
                          "' accepts at most ", options.max_timestamp_skew_ms,
                          " ms (--max-timestamp-skew-ms): fix the producer's clock, or give the "
                          "topic timestamp_type=log_append_time");
  return proto::INVALID_TIMESTAMP;
}

}  // namespace choreo::broker
