// InitProducerId 0-1 for idempotent producers (a null transactional id): a new producer id from the
// same store as the native InitProducer, so sequences and fencing follow the same durable rules.
// Transactions are not served.
//
// ACLs: none beyond authentication, as the native InitProducer (handlers/authorize.h). Kafka asks
// for IdempotentWrite on the cluster or write on some topic; here the id is granted to the
// connection's principal (ProducerOwners), only that principal may produce with it
// (CLUSTER_AUTHORIZATION_FAILED otherwise), and every produce still needs write on its topic, so
// an id alone lets a principal write nothing it could not write without one. Transactional ids
// (which Kafka authorizes per id) are refused with INVALID_REQUEST.
#include <optional>

#include "broker/handlers/handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/kafka/handlers/kafka_protocol.h"

namespace choreo::broker {

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaInitProducerId(KafkaCall& call) {
  kafka::Struct response = call.NewResponse();
  if (!call.body().IsNull("transactional_id")) {
    response.SetInt("error_code", kafka_error::kInvalidRequest);
    co_return response;
  }
  proto::Request native;
  native.mutable_init_producer()->set_producer_id(-1);
  const proto::Response granted = co_await HandleInitProducer(call.ctx, native);
  if (granted.error().code() != proto::NONE) {
    response.SetInt("error_code", KafkaErrorCode(granted.error().code()));
    co_return response;
  }
  // A new id starts at epoch 0, well inside Kafka's int16.
  response.SetInt("producer_id", granted.init_producer().producer_id());
  response.SetInt("producer_epoch", granted.init_producer().producer_epoch());
  co_return response;
}

}  // namespace choreo::broker
