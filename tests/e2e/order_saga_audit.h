// Checks the order saga's invariants (examples/order-saga) against the log itself: every event of
// every saga topic, read back with a plain consumer and grouped by saga. The log is the truth;
// the services' own files are only cross-checked against it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/saga/envelope.h"

namespace choreo::e2e {

// One stored saga event.
struct SagaEvent {
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  saga::Envelope envelope;
  std::string payload;
};

struct SagaLog {
  // By saga id (ce_correlationid), each saga's events in topic then offset order.
  std::map<std::string, std::vector<SagaEvent>> sagas;
  uint64_t events = 0;
  // Records that carry no readable envelope: "topic/partition@offset: why".
  std::vector<std::string> unreadable;
};

// Reads every partition of `topics` from the start to the high watermark (records failures of the
// running test on errors).
SagaLog ReadSagaLog(const ClientOptions& client, const std::vector<std::string>& topics);

// How the sagas ended.
struct SagaOutcomes {
  int completed = 0;  // OrderCompleted
  int declined = 0;   // PaymentFailed -> OrderCancelled
  int refunded = 0;   // ShipmentFailed -> PaymentRefunded -> OrderCancelled
  int timed_out = 0;  // PaymentTimedOut (no payment answer in time) -> OrderCancelled
  std::map<std::string, std::string> terminal;  // saga id -> "COMPLETED" or "CANCELLED"
};

struct SagaAudit {
  SagaOutcomes outcomes;
  // Every broken invariant, one line each: "<saga id>: what".
  std::vector<std::string> violations;
};

// Checks, for the sagas `expected` (and that no other saga exists):
//  - the saga's events: one OrderCreated (its first event, from order-service, no causation),
//    exactly one payment decision, at most one PaymentSucceeded (no double capture), a shipment
//    decision iff the payment succeeded, a PaymentRefunded for the captured payment (same payment
//    id and amount) iff shipping failed, and exactly one terminal event that matches the path;
//  - every event: ce_source of its service, key == ce_correlationid == the saga id, stored in the
//    same partition number as the saga's other events (keyed by saga id);
//  - one trace id per saga; every event but the first is caused (ce_causationid) by an event of
//    the same saga, of the type the choreography says, and not later (ce_time);
//  - no ce_id appears twice in the whole log.
SagaAudit AuditSagas(const SagaLog& log, const std::set<std::string>& expected);

}  // namespace choreo::e2e
