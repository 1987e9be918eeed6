// What to do with the answer to a produce request, and how long to wait before trying again.
#pragma once

#include <chrono>
#include <cstdint>

#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// The outcome of one produce attempt, from the producer's point of view.
struct ProduceOutcome {
  enum class Kind {
    kAppended,    // stored (also an idempotent duplicate); base_offset is set (-1 if unknown)
    kTransport,   // no answer (connection lost, request timeout, bad frame): reconnect, resend
    kRetriable,   // a transient broker error: resend after a backoff
    kOutOfOrder,  // OUT_OF_ORDER_SEQUENCE: an earlier batch is missing on the broker
    kMetadata,    // UNKNOWN_TOPIC / INVALID_PARTITION: check metadata, then resend or fail
    kFatal,       // PRODUCER_FENCED / UNKNOWN_PRODUCER_ID: the producer cannot continue
    kFailed,      // any other error: the batch was not appended and never will be
  };
  Kind kind = Kind::kFailed;
  Status status;
  int64_t base_offset = -1;
};

// Classifies a produce response (or the transport error in its place).
//
// An exact duplicate is answered with success and the original offset. DUPLICATE_SEQUENCE (a retry
// older than the broker's window; not expected while at most 5 batches are in flight) also means
// "already appended", with the offset unknown. kMessageTooLarge from the connection means nothing
// was sent: a definitive failure.
ProduceOutcome ClassifyProduce(const Result<proto::Response>& response);

// Exponential backoff: `base` * 2^(failures - 1), at most `max`, with +-20% jitter. `failures`
// counts consecutive failures, starting at 1.
std::chrono::milliseconds Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                  uint32_t failures);

}  // namespace choreo::client_internal
