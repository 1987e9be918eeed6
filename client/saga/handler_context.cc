#include "client/saga/handler_context.h"

#include "client/saga/event_codec.h"

namespace choreo::saga::internal {

Status StepContext::Add(Result<EncodedPayload> payload, const PublishOptions& options) {
  if (!payload.ok()) return payload.status();
  Envelope envelope = NewEnvelope(events_, *payload, event_.saga_id, NowMs());
  envelope.causation_id = event_.id;
  envelope.trace = event_.trace.NewSpan();  // a new trace if the cause carried none
  outputs_.push_back(StepOutput{.topic = TopicFor(events_, envelope.type, options),
                                .key = envelope.saga_id,
                                .encoded = EncodeEventRecord(envelope, payload->payload),
                                .timestamp_ms = envelope.time_ms});
  return OkStatus();
}

Status StepContext::Publish(const google::protobuf::Message& message,
                            const PublishOptions& options) {
  return Add(EncodeMessage(message, options.encoding.value_or(events_.encoding), events_), options);
}

Status StepContext::PublishRaw(const RawEvent& event, const PublishOptions& options) {
  if (event.type.empty()) return Status(ErrorCode::kInvalidArgument, "a raw event needs a type");
  return Add(EncodeRaw(event), options);
}

std::string StepContext::IdempotencyKey() const {
  return group_id_ + "/" + event_.type + "/" + event_.id;
}

Result<std::string> StepContext::Once(std::string_view name, const ProcessedStore::Effect& effect) {
  return store_.RunOnce(IdempotencyKey() + "/" + std::string(name), effect);
}

}  // namespace choreo::saga::internal
