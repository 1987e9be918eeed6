// Dead letters and parked sagas, as stored in a service's dead-letter topic ("<group>.dlq").
//
// Every record of the topic is keyed by saga id and has a `choreo_dlq_kind` header:
//   dead      an event whose handler failed its last attempt: the original record (key, value,
//             headers, timestamp) plus the headers below
//   parked    a later event of a saga with a dead letter, not handled (same headers)
//   replay    a request (from `choreo dlq replay`) to handle the saga's dead and parked events
//             again, in order
//   discard   a request to drop them and handle the saga's later events again
//   resolved  written by the service, in the step that carried out a replay or a discard;
//             `choreo_dlq_through` is the dead-letter offset (in the saga's partition of this
//             topic) up to which the saga's records were replayed or dropped
// A saga is parked while it has dead or parked records after its last `resolved` record's
// `through` offset.
//
// Headers of dead and parked records (all UTF-8 text):
//   choreo_dlq_error      the handler's last error ("UNKNOWN: card declined"); empty for parked
//   choreo_dlq_attempts   attempts made ("5"); "0" for parked
//   choreo_dlq_handler    the handler that failed: "<group>/<ce_type>"
//   choreo_dlq_topic, choreo_dlq_partition, choreo_dlq_offset   where the original is stored
//   choreo_dlq_time       when it was dead-lettered or parked (RFC 3339)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/saga/envelope.h"

namespace choreo::saga {

namespace dlq_headers {
inline constexpr std::string_view kKind = "choreo_dlq_kind";
inline constexpr std::string_view kError = "choreo_dlq_error";
inline constexpr std::string_view kAttempts = "choreo_dlq_attempts";
inline constexpr std::string_view kHandler = "choreo_dlq_handler";
inline constexpr std::string_view kTopic = "choreo_dlq_topic";
inline constexpr std::string_view kPartition = "choreo_dlq_partition";
inline constexpr std::string_view kOffset = "choreo_dlq_offset";
inline constexpr std::string_view kTime = "choreo_dlq_time";
inline constexpr std::string_view kThrough = "choreo_dlq_through";
}  // namespace dlq_headers

enum class DeadLetterKind { kDead, kParked, kReplay, kDiscard, kResolved };
std::string_view DeadLetterKindName(DeadLetterKind kind);  // "dead", "parked", ...
std::optional<DeadLetterKind> ParseDeadLetterKind(std::string_view name);

// One dead or parked record, as read back.
struct DeadLetter {
  DeadLetterKind kind = DeadLetterKind::kDead;
  std::string saga_id;
  // Where this copy is, in the dead-letter topic.
  uint32_t dlq_partition = 0;
  int64_t dlq_offset = 0;
  // The original event: where it was, and the record itself (headers without choreo_dlq_*).
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
  Record record;
  std::optional<Envelope> envelope;  // when the original carried one
  std::string error;
  int attempts = 0;
  std::string handler;
  int64_t time_ms = 0;
};

// A saga with unresolved dead letters.
struct ParkedSaga {
  std::string saga_id;
  // Its dead and parked records after the last resolution, in dead-letter offset order.
  std::vector<DeadLetter> records;
  // A replay or discard was requested and has not been carried out yet.
  std::optional<DeadLetterKind> requested;
};

// Folds the records of a dead-letter topic, read in offset order per partition, into the set of
// parked sagas. Not thread-safe.
class DeadLetterIndex {
 public:
  // Applies one record of the dead-letter topic. Records without a known kind are ignored.
  void Apply(const ConsumedRecord& record);
  // The sagas parked now, by saga id.
  const std::map<std::string, ParkedSaga, std::less<>>& parked() const { return parked_; }
  const ParkedSaga* Find(std::string_view saga_id) const;
  bool IsParked(std::string_view saga_id) const { return Find(saga_id) != nullptr; }

 private:
  std::map<std::string, ParkedSaga, std::less<>> parked_;
};

// Builds a dead or parked copy of `original` for the dead-letter topic.
Record MakeDeadLetterRecord(DeadLetterKind kind, const ConsumedRecord& original,
                            std::string_view saga_id, std::string_view error, int attempts,
                            std::string_view handler, int64_t now_ms);
// A replay or discard request for `saga_id`.
Record MakeControlRecord(DeadLetterKind kind, std::string_view saga_id);
// The record that marks a saga resolved through dead-letter offset `through`.
Record MakeResolvedRecord(std::string_view saga_id, DeadLetterKind action, int64_t through);

// Reads the whole dead-letter topic (up to its high watermarks at the call) and returns the
// parked sagas. Errors: kUnknownTopic, and the connection's.
Result<std::vector<ParkedSaga>> ReadParkedSagas(const ClientOptions& client,
                                                std::string_view topic);
// Appends a replay or discard request for `saga_id` to the dead-letter topic; the service that
// owns the topic carries it out. Errors: kInvalidArgument (kind is not kReplay or kDiscard),
// kUnknownTopic, and the producer's.
Status RequestDeadLetterAction(const ClientOptions& client, std::string_view topic,
                               std::string_view saga_id, DeadLetterKind kind);

}  // namespace choreo::saga
