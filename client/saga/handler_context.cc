#include "client/saga/handler_context.h"

#include "client/saga/event_codec.h"

namespace choreo::saga::internal {

const Envelope& StepContext::event() const {
  if (!envelope_.has_value()) envelope_ = event_.ToEnvelope();
  return *envelope_;
}

Status StepContext::Add(Result<EncodedPayload> payload, const PublishOptions& options) {
  if (!payload.ok()) return payload.status();
  std::string topic = TopicFor(events_, payload->type, options);
  // A missing topic (and topic creation off) fails this handler call, which is retried and then
  // dead-lettered, instead of failing the step request the output would travel in.
  if (Status exists = topics_.Ensure(topic); !exists.ok()) return exists;
  const int64_t now = NowMs();
  outputs_.push_back(
      StepOutput{.topic = std::move(topic),
                 .key = saga_id_,
                 .encoded = EncodeChildEvent(event_, saga_id_, *payload, events_, now),
                 .timestamp_ms = now});
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
  std::string key = group_id_;
  key += '/';
  key += event_.type;
  key += '/';
  key += event_.id;
  return key;
}

Result<std::string> StepContext::Once(std::string_view name, const ProcessedStore::Effect& effect) {
  return store_.RunOnce(IdempotencyKey() + "/" + std::string(name), effect);
}

Result<ArmedTimer> StepContext::PublishAt(std::chrono::system_clock::time_point due,
                                          std::string_view timer,
                                          const google::protobuf::Message& message,
                                          const PublishOptions& options) {
  return timers_.Arm(saga_id_, timer, due,
                     EncodeMessage(message, options.encoding.value_or(events_.encoding), events_),
                     options, SagaTimers::CauseOf(event_));
}

Result<CancelOutcome> StepContext::CancelTimer(std::string_view timer) {
  return timers_.Cancel(saga_id_, timer);
}

}  // namespace choreo::saga::internal
