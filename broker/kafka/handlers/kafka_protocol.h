// The Kafka listener's protocol (--kafka-listen): a SessionProtocol that decodes Kafka requests
// (kafka/request.h), checks each API's version once at dispatch against the table of served APIs,
// runs its handler on the broker's services (the same store, topics, producers and waiters as the
// native protocol), and answers in request order, as Kafka clients require.
//
// Protocol errors close the connection without an answer (Kafka has no error frame): a frame that
// does not decode, an API or version outside the table (except ApiVersions, which answers any
// version: KIP-511). Broker limits (frame size, connections, in-flight, memory, idle timeout) are
// the native listener's (net/session.h).
//
// Lifecycle: KafkaListener is created by the Broker before the Kafka Server and outlives it; it
// makes one KafkaProtocol per connection. Threading: KafkaListener is immutable after
// construction (its metrics are thread-safe); a KafkaProtocol runs on its session's strand.
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kafka/request.h"
#include "broker/kafka/value.h"
#include "broker/net/session_protocol.h"

namespace choreo::broker {

class Counter;
class Histogram;

// What a Kafka handler gets: the broker's services and connection (ctx), the decoded request, and
// where clients should connect (Metadata's broker list).
struct KafkaCall {
  RequestContext& ctx;
  const kafka::DecodedRequest& request;
  const std::string& advertised_host;
  int32_t advertised_port;

  int16_t version() const { return request.header.api_version; }
  const kafka::Struct& body() const { return request.body; }
  kafka::Struct NewResponse() const { return kafka::NewMessage(request.api->response); }
};

// A handler returns the response body, or nullopt to send nothing (Produce with acks=0). Handlers
// answer bad input with error codes and never throw for it.
using KafkaHandler = asio::awaitable<std::optional<kafka::Struct>> (*)(KafkaCall& call);

// One served API: the versions advertised in ApiVersions and accepted at dispatch.
struct KafkaRoute {
  int16_t api_key;
  const char* name;  // for metrics: choreo_requests_total{api="kafka_<name>"}
  int16_t min_version;
  int16_t max_version;
  KafkaHandler handler;
};

// The table of served APIs, sorted by key (kafka_protocol.cc).
const std::vector<KafkaRoute>& KafkaRoutes();

class KafkaListener {
 public:
  // `services` is borrowed and outlives the listener. Registers the per-API request metrics.
  // `advertised_host`/`advertised_port`: what Metadata tells clients to connect to.
  KafkaListener(BrokerServices& services, std::string advertised_host, int32_t advertised_port);
  ~KafkaListener();

  std::unique_ptr<SessionProtocol> NewProtocol(uint64_t connection_id);

  BrokerServices& services() const { return services_; }
  const std::string& advertised_host() const { return advertised_host_; }
  int32_t advertised_port() const { return advertised_port_; }
  // Counts one answered request of route `index` (into KafkaRoutes()).
  void RequestDone(size_t index, double seconds) const;

 private:
  struct ApiMetrics {
    Counter* requests;
    Histogram* seconds;
  };
  BrokerServices& services_;
  const std::string advertised_host_;
  const int32_t advertised_port_;
  std::vector<ApiMetrics> metrics_;  // by index into KafkaRoutes()
};

// Handlers, one file each (kafka/handlers/).
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaApiVersions(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaMetadata(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaProduce(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaFetch(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaListOffsets(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaInitProducerId(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaCreateTopics(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaDeleteTopics(KafkaCall& call);

}  // namespace choreo::broker
