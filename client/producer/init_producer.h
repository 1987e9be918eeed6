// InitProducer round trip: obtains (or re-confirms after a reconnect) the idempotent producer's id
// and epoch.
#pragma once

#include <chrono>
#include <cstdint>

#include "choreo/client/status.h"
#include "client/connection.h"

namespace choreo::client_internal {

struct ProducerIdentity {
  int64_t id = -1;  // -1: not idempotent / not assigned yet
  int32_t epoch = 0;
};

// Sends InitProducerRequest{current.id, current.epoch, bump_epoch = false}: a new producer id for
// current.id == -1, otherwise the same id and epoch with the broker's sequence state intact.
// Errors: the transport's, the broker's (kProducerFenced, kUnknownProducerId, ...),
// kUnsupportedVersion if the broker does not know the request, kProtocolError if it answers with
// another id or epoch than the one asked to keep.
Result<ProducerIdentity> InitProducer(Connection& connection, ProducerIdentity current,
                                      std::chrono::milliseconds timeout);

}  // namespace choreo::client_internal
