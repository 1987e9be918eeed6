#include "client/producer/init_producer.h"

#include <string>

#include "client/wire_status.h"

namespace choreo::client_internal {

Result<ProducerIdentity> InitProducer(Connection& connection, ProducerIdentity current,
                                      std::chrono::milliseconds timeout) {
  proto::Request request;
  proto::InitProducerRequest* init = request.mutable_init_producer();
  init->set_producer_id(current.id);
  init->set_producer_epoch(current.epoch);
  init->set_bump_epoch(false);
  Result<proto::Response> response =
      CheckResponse(connection.Call(std::move(request), timeout), proto::Response::kInitProducer);
  if (!response.ok()) {
    const Status& status = response.status();
    // A broker without idempotent-producer support does not know the request body.
    if (status.code() == ErrorCode::kInvalidRequest ||
        status.code() == ErrorCode::kUnsupportedVersion) {
      return Status(ErrorCode::kUnsupportedVersion,
                    "the broker does not support idempotent producers (InitProducer answered " +
                        status.ToString() +
                        "); set ProducerOptions::enable_idempotence = false to produce without");
    }
    return Status(status.code(), "InitProducer: " + status.message());
  }
  const ProducerIdentity granted{response->init_producer().producer_id(),
                                 response->init_producer().producer_epoch()};
  if (granted.id < 0 ||
      (current.id >= 0 && (granted.id != current.id || granted.epoch != current.epoch))) {
    return Status(ErrorCode::kProtocolError,
                  "InitProducer for producer " + std::to_string(current.id) + " epoch " +
                      std::to_string(current.epoch) + " granted producer " +
                      std::to_string(granted.id) + " epoch " + std::to_string(granted.epoch));
  }
  return granted;
}

}  // namespace choreo::client_internal
