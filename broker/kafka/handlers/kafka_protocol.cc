#include "broker/kafka/handlers/kafka_protocol.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "broker/kafka/errors.h"
#include "broker/kafka/handlers/group_handlers.h"
#include "broker/kafka/handlers/kafka_auth.h"
#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/metrics.h"

namespace choreo::broker {
namespace {

using kafka::api_key::kApiVersions;

// Produce is advertised from v0 because librdkafka compresses only when Produce's range includes
// v0; the handler answers v0-2 (old message formats) with UNSUPPORTED_FOR_MESSAGE_FORMAT. Fetch
// from v4 because librdkafka reads magic-2 batches only when Fetch includes v4. The SASL APIs have
// no handler: KafkaAuthentication answers them as they are decoded.
const std::vector<KafkaRoute> kRoutes = {
    {kafka::api_key::kProduce, "produce", 0, 8, &HandleKafkaProduce},
    {kafka::api_key::kFetch, "fetch", 4, 11, &HandleKafkaFetch},
    {kafka::api_key::kListOffsets, "list_offsets", 1, 5, &HandleKafkaListOffsets},
    {kafka::api_key::kMetadata, "metadata", 0, 8, &HandleKafkaMetadata},
    {kafka::api_key::kOffsetCommit, "offset_commit", 2, 7, &HandleKafkaOffsetCommit},
    {kafka::api_key::kOffsetFetch, "offset_fetch", 1, 5, &HandleKafkaOffsetFetch},
    {kafka::api_key::kFindCoordinator, "find_coordinator", 0, 2, &HandleKafkaFindCoordinator},
    {kafka::api_key::kJoinGroup, "join_group", 0, 5, &HandleKafkaJoinGroup},
    {kafka::api_key::kHeartbeat, "heartbeat", 0, 3, &HandleKafkaHeartbeat},
    {kafka::api_key::kLeaveGroup, "leave_group", 0, 3, &HandleKafkaLeaveGroup},
    {kafka::api_key::kSyncGroup, "sync_group", 0, 3, &HandleKafkaSyncGroup},
    {kafka::api_key::kDescribeGroups, "describe_groups", 0, 4, &HandleKafkaDescribeGroups},
    {kafka::api_key::kListGroups, "list_groups", 0, 2, &HandleKafkaListGroups},
    {kafka::api_key::kSaslHandshake, "sasl_handshake", 0, 1, nullptr},
    {kApiVersions, "api_versions", 0, 3, &HandleKafkaApiVersions},
    {kafka::api_key::kCreateTopics, "create_topics", 0, 4, &HandleKafkaCreateTopics},
    {kafka::api_key::kDeleteTopics, "delete_topics", 0, 3, &HandleKafkaDeleteTopics},
    {kafka::api_key::kInitProducerId, "init_producer_id", 0, 1, &HandleKafkaInitProducerId},
    {kafka::api_key::kSaslAuthenticate, "sasl_authenticate", 0, 2, nullptr},
};

std::optional<size_t> FindRoute(int16_t api_key) {
  for (size_t i = 0; i < kRoutes.size(); ++i)
    if (kRoutes[i].api_key == api_key) return i;
  return std::nullopt;
}

FrameVerdict Refuse(std::string reason, std::string frame = {}) {
  FrameVerdict verdict;
  verdict.refuse = true;
  verdict.reason = std::move(reason);
  verdict.frame = std::move(frame);
  return verdict;
}

asio::awaitable<std::string> Answered(std::string frame) {
  co_return frame;
}

// A response computed as its request was decoded (authentication), sent in its turn.
FrameVerdict AnsweredInline(std::string frame) {
  FrameVerdict verdict;
  verdict.call.run = [frame = std::move(frame)](RequestContext&) { return Answered(frame); };
  return verdict;
}

// `body` framed: the size prefix, then `header_and_body`.
std::string Framed(std::string_view body) {
  std::string frame;
  kafka::AppendFrameSize(static_cast<uint32_t>(body.size()), &frame);
  frame.append(body);
  return frame;
}

class KafkaProtocol : public SessionProtocol {
 public:
  KafkaProtocol(const KafkaListener& listener, uint64_t connection_id)
      : listener_(listener),
        connection_id_(connection_id),
        authentication_(listener.services().security) {}

  const char* name() const override { return "kafka"; }
  bool ordered_responses() const override { return true; }
  // Kafka has no handshake of its own; authentication stands in for it, so that the handshake
  // timeout bounds it and no frame over 64 KiB is read before it.
  bool handshaken() const override { return authentication_.authenticated(); }
  void TransportReady(ConnectionState& connection) override {
    authentication_.TransportReady(connection);
  }
  std::string ErrorFrame(proto::ErrorCode, std::string_view) const override { return {}; }

  FrameVerdict Decode(std::string_view frame) override {
    BrokerMetrics& metrics = listener_.services().metrics;
    if (authentication_.expects_raw_token()) {
      KafkaAuthentication::Outcome outcome = authentication_.OnRawToken(frame);
      if (outcome.kind == KafkaAuthentication::Outcome::Kind::kClose)
        return Refuse(std::move(outcome.reason));
      return AnsweredInline(Framed(outcome.raw.value_or("")));
    }
    kafka::RequestHeader header;
    absl::StatusOr<kafka::DecodedRequest> decoded = kafka::DecodeRequest(frame, {}, &header);
    if (!decoded.ok()) {
      const bool version = decoded.status().code() == absl::StatusCode::kUnimplemented;
      metrics.ProtocolViolation(version ? ProtocolError::kUnsupportedVersion
                                        : ProtocolError::kUnparsable);
      return Refuse(absl::StrCat("kafka request (api ", header.api_key, " v", header.api_version,
                                 "): ", decoded.status().message()));
    }
    const std::optional<size_t> route = FindRoute(header.api_key);
    const bool served = route && ((header.api_version >= kRoutes[*route].min_version &&
                                   header.api_version <= kRoutes[*route].max_version) ||
                                  decoded->unsupported_version);
    if (!served) {
      metrics.ProtocolViolation(ProtocolError::kUnsupportedVersion);
      return Refuse(absl::StrCat("kafka api ", header.api_key, " v", header.api_version,
                                 " is not served (see ApiVersions)"));
    }
    KafkaAuthentication::Outcome outcome = authentication_.OnRequest(*decoded);
    if (outcome.kind != KafkaAuthentication::Outcome::Kind::kPass) {
      std::string answer;
      if (outcome.body) {
        listener_.RequestDone(*route, 0);
        answer = Encode(kRoutes[*route], *decoded, *outcome.body);
      }
      if (outcome.kind == KafkaAuthentication::Outcome::Kind::kClose)
        return Refuse(std::move(outcome.reason), std::move(answer));
      return AnsweredInline(std::move(answer));
    }
    FrameVerdict verdict;
    verdict.call.produce = header.api_key == kafka::api_key::kProduce;
    verdict.call.run = [this, index = *route,
                        request = std::make_shared<kafka::DecodedRequest>(*std::move(decoded))](
                           RequestContext& ctx) { return Serve(ctx, index, request); };
    return verdict;
  }

 private:
  asio::awaitable<std::string> Serve(RequestContext& ctx, size_t index,
                                     std::shared_ptr<kafka::DecodedRequest> request) {
    const auto start = std::chrono::steady_clock::now();
    const KafkaRoute& route = kRoutes[index];
    KafkaCall call{ctx, *request, listener_.advertised_host(), listener_.advertised_port()};
    std::optional<kafka::Struct> body;
    try {
      body = co_await route.handler(call);
    } catch (const std::exception& e) {
      // Kafka has no request-level error for every API: the connection is closed (by the
      // session, since the request stays unanswered), and the client reconnects.
      HandlerLog().error("conn={} event=error api=kafka_{} error=\"{}\"", connection_id_,
                         route.name, e.what());
      throw;
    }
    listener_.RequestDone(
        index, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!body) co_return std::string();
    std::string frame = Encode(route, *request, *body);
    if (frame.empty()) throw std::runtime_error("kafka response encoding failed");
    co_return frame;
  }

  // The response frame (size prefix included) of `request` with `body`; "" if it does not encode.
  std::string Encode(const KafkaRoute& route, const kafka::DecodedRequest& request,
                     const kafka::Struct& body) const {
    // KIP-511: a version above ours is answered in v0's shape.
    const int16_t version = request.unsupported_version ? 0 : request.header.api_version;
    std::string frame(kafka::kFrameSizeBytes, '\0');
    if (absl::Status s = kafka::EncodeResponse(route.api_key, version,
                                               request.header.correlation_id, body, &frame);
        !s.ok()) {
      HandlerLog().error("conn={} event=error api=kafka_{} error=\"cannot encode: {}\"",
                         connection_id_, route.name, std::string(s.message()));
      return std::string();
    }
    std::string prefix;
    kafka::AppendFrameSize(static_cast<uint32_t>(frame.size() - kafka::kFrameSizeBytes), &prefix);
    frame.replace(0, kafka::kFrameSizeBytes, prefix);
    return frame;
  }

  const KafkaListener& listener_;
  const uint64_t connection_id_;
  KafkaAuthentication authentication_;
};

}  // namespace

const std::vector<KafkaRoute>& KafkaRoutes() {
  return kRoutes;
}

KafkaListener::KafkaListener(BrokerServices& services, std::string advertised_host,
                             int32_t advertised_port)
    : services_(services),
      advertised_host_(std::move(advertised_host)),
      advertised_port_(advertised_port) {
  MetricsRegistry& registry = services.metrics.registry();
  for (const KafkaRoute& route : kRoutes) {
    const std::string api = absl::StrCat("kafka_", route.name);
    metrics_.push_back(ApiMetrics{
        registry.GetCounter("choreo_requests_total", "Requests answered, by API.", {"api"}, {api}),
        registry.GetHistogram(
            "choreo_request_duration_seconds",
            "Time from reading a request to queueing its response, by API (long polls included).",
            LatencyBucketsSeconds(), {"api"}, {api})});
  }
}

KafkaListener::~KafkaListener() = default;

std::unique_ptr<SessionProtocol> KafkaListener::NewProtocol(uint64_t connection_id) {
  return std::make_unique<KafkaProtocol>(*this, connection_id);
}

void KafkaListener::RequestDone(size_t index, double seconds) const {
  metrics_[index].requests->Increment();
  metrics_[index].seconds->Observe(seconds);
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaApiVersions(KafkaCall& call) {
  kafka::Struct response = call.NewResponse();
  if (call.request.unsupported_version)
    response.SetInt("error_code", kafka::error_code::kUnsupportedVersion);
  for (const KafkaRoute& route : kRoutes) {
    // Every route's range is inside the codec's (checked by kafka_listener_test).
    kafka::Struct& api = response.AddStruct("api_keys");
    api.SetInt("api_key", route.api_key);
    api.SetInt("min_version", route.min_version);
    api.SetInt("max_version", route.max_version);
  }
  co_return response;
}

}  // namespace choreo::broker
