#include "choreo/saga/publisher.h"

#include <google/protobuf/message.h>

#include <utility>

#include "client/saga/event_codec.h"
#include "client/saga/saga_timers.h"
#include "client/saga/topic_ensurer.h"

namespace choreo::saga {

using internal::EncodedPayload;

class Publisher::Impl {
 public:
  Impl(PublisherOptions options, std::unique_ptr<Producer> producer)
      : options_(std::move(options)),
        producer_(std::move(producer)),
        topics_(options_.client, options_.create_topic_partitions),
        timers_(options_.client, options_.events, topics_) {}

  // Builds the record of a saga's first event and where it goes.
  struct Prepared {
    Envelope envelope;
    std::string topic;
    Record record;
  };
  Result<Prepared> Prepare(std::string_view saga_id, std::string_view event_id,
                           Result<EncodedPayload> payload, const PublishOptions& publish) {
    if (saga_id.empty()) return Status(ErrorCode::kInvalidArgument, "a saga id must not be empty");
    if (!payload.ok()) return payload.status();
    Prepared p;
    p.envelope = internal::NewEnvelope(options_.events, *payload, saga_id, internal::NowMs());
    if (!event_id.empty()) p.envelope.id = std::string(event_id);
    p.envelope.trace = TraceContext::NewTrace();
    p.topic = internal::TopicFor(options_.events, p.envelope.type, publish);
    if (options_.create_topic_partitions > 0) {
      if (Status s = topics_.Ensure(p.topic); !s.ok()) return s;
    }
    p.record = internal::MakeEventRecord(p.envelope, std::move(payload->payload));
    return p;
  }

  Result<PublishedEvent> Send(Result<Prepared> prepared) {
    if (!prepared.ok()) return prepared.status();
    Result<RecordMetadata> sent =
        producer_->Send(prepared->topic, std::move(prepared->record)).get();
    if (!sent.ok()) return sent.status();
    return PublishedEvent{.envelope = std::move(prepared->envelope),
                          .topic = sent->topic,
                          .partition = sent->partition,
                          .offset = sent->offset};
  }

  Encoding EncodingFor(const PublishOptions& publish) const {
    return publish.encoding.value_or(options_.events.encoding);
  }

  PublisherOptions options_;
  std::unique_ptr<Producer> producer_;
  internal::TopicEnsurer topics_;
  internal::SagaTimers timers_;
};

Result<std::unique_ptr<Publisher>> Publisher::Create(const PublisherOptions& options) {
  if (options.events.source.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "PublisherOptions::events.source (the publishing service's name) is required");
  }
  ProducerOptions producer_options = options.producer;
  producer_options.client = options.client;
  Result<std::unique_ptr<Producer>> producer = Producer::Create(producer_options);
  if (!producer.ok()) return producer.status();
  return std::unique_ptr<Publisher>(
      new Publisher(std::make_unique<Impl>(options, std::move(producer).value())));
}

Publisher::Publisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Publisher::~Publisher() = default;

Result<PublishedEvent> Publisher::Publish(std::string_view saga_id,
                                          const google::protobuf::Message& message,
                                          const PublishOptions& options) {
  return Publish(saga_id, {}, message, options);
}

Result<PublishedEvent> Publisher::Publish(std::string_view saga_id, std::string_view event_id,
                                          const google::protobuf::Message& message,
                                          const PublishOptions& options) {
  return impl_->Send(impl_->Prepare(
      saga_id, event_id,
      internal::EncodeMessage(message, impl_->EncodingFor(options), impl_->options_.events),
      options));
}

void Publisher::PublishAsync(std::string_view saga_id, const google::protobuf::Message& message,
                             std::function<void(Result<PublishedEvent>)> done,
                             const PublishOptions& options) {
  Result<Impl::Prepared> prepared = impl_->Prepare(
      saga_id, {},
      internal::EncodeMessage(message, impl_->EncodingFor(options), impl_->options_.events),
      options);
  if (!prepared.ok()) {
    done(prepared.status());
    return;
  }
  auto envelope = std::make_shared<Envelope>(std::move(prepared->envelope));
  impl_->producer_->Send(prepared->topic, std::move(prepared->record), std::nullopt,
                         [envelope, done = std::move(done)](const Result<RecordMetadata>& sent) {
                           if (!sent.ok()) {
                             done(sent.status());
                             return;
                           }
                           done(PublishedEvent{.envelope = std::move(*envelope),
                                               .topic = sent->topic,
                                               .partition = sent->partition,
                                               .offset = sent->offset});
                         });
}

Result<PublishedEvent> Publisher::PublishWithTimer(std::string_view saga_id,
                                                   const google::protobuf::Message& message,
                                                   std::chrono::milliseconds delay,
                                                   std::string_view timer,
                                                   const google::protobuf::Message& timeout_message,
                                                   const PublishOptions& options) {
  Result<Impl::Prepared> prepared = impl_->Prepare(
      saga_id, {},
      internal::EncodeMessage(message, impl_->EncodingFor(options), impl_->options_.events),
      options);
  if (!prepared.ok()) return prepared.status();
  Result<ArmedTimer> armed = PublishAfter(delay, prepared->envelope, timer, timeout_message, {});
  if (!armed.ok()) return armed.status();
  Result<PublishedEvent> published = impl_->Send(std::move(prepared));
  if (!published.ok() && !armed->already_armed) {
    (void)CancelTimer(saga_id, timer);  // best effort: the event it guards was not published
  }
  return published;
}

Result<PublishedEvent> Publisher::PublishRaw(std::string_view saga_id, const RawEvent& event,
                                             const PublishOptions& options) {
  if (event.type.empty()) return Status(ErrorCode::kInvalidArgument, "a raw event needs a type");
  return impl_->Send(impl_->Prepare(saga_id, {}, internal::EncodeRaw(event), options));
}

Result<ArmedTimer> Publisher::PublishAt(std::chrono::system_clock::time_point due,
                                        std::string_view saga_id, std::string_view timer,
                                        const google::protobuf::Message& message,
                                        const PublishOptions& options) {
  return impl_->timers_.Arm(
      saga_id, timer, due,
      internal::EncodeMessage(message, impl_->EncodingFor(options), impl_->options_.events),
      options, {});
}

Result<ArmedTimer> Publisher::PublishAt(std::chrono::system_clock::time_point due,
                                        const Envelope& after, std::string_view timer,
                                        const google::protobuf::Message& message,
                                        const PublishOptions& options) {
  return impl_->timers_.Arm(
      after.saga_id, timer, due,
      internal::EncodeMessage(message, impl_->EncodingFor(options), impl_->options_.events),
      options, internal::SagaTimers::CauseOf(after));
}

Result<ArmedTimer> Publisher::PublishAfter(std::chrono::milliseconds delay, const Envelope& after,
                                           std::string_view timer,
                                           const google::protobuf::Message& message,
                                           const PublishOptions& options) {
  return PublishAt(std::chrono::system_clock::now() + delay, after, timer, message, options);
}

Result<ArmedTimer> Publisher::PublishAfter(std::chrono::milliseconds delay,
                                           std::string_view saga_id, std::string_view timer,
                                           const google::protobuf::Message& message,
                                           const PublishOptions& options) {
  return PublishAt(std::chrono::system_clock::now() + delay, saga_id, timer, message, options);
}

Result<CancelOutcome> Publisher::CancelTimer(std::string_view saga_id, std::string_view timer) {
  return impl_->timers_.Cancel(saga_id, timer);
}

Status Publisher::Flush(std::chrono::milliseconds timeout) {
  return impl_->producer_->Flush(timeout);
}

Status Publisher::Close(std::chrono::milliseconds timeout) {
  return impl_->producer_->Close(timeout);
}

}  // namespace choreo::saga
