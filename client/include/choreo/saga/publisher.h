// Publisher: starts sagas from outside a handler (an HTTP endpoint creating an order, a batch job),
// by publishing their first event.
//
// Publish(saga_id, message) publishes `message` with a fresh envelope: a new event id, a new W3C
// trace, no causation id, ce_correlationid = saga_id, keyed by saga_id (so every event of the saga
// lands on one partition of each topic, in order). Events published by handlers in reaction
// (HandlerContext::Publish) inherit the saga id, the trace and the causation.
//
// Delivery: the idempotent producer underneath retries without duplicating; Publish returns once
// the event is durable in the broker. A Publish that fails with kTimeout may still have been
// stored; publish again with the same `event_id` (PublishOptions-style overload below) and
// consumers that dedup by ce_id see it once.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "choreo/client/options.h"
#include "choreo/client/producer.h"
#include "choreo/client/status.h"
#include "choreo/saga/envelope.h"
#include "choreo/saga/events.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace choreo::saga {

struct PublisherOptions {
  ClientOptions client = {};
  EventOptions events = {};
  // The underlying producer's options; `client` above replaces producer.client. Default: the
  // producer's defaults (idempotent, adaptive linger).
  ProducerOptions producer = {};
  // Create a missing topic (with this many partitions) when publishing to it; 0: publishing to a
  // missing topic fails with kUnknownTopic. Default: 0.
  uint32_t create_topic_partitions = 0;
};

// Where a published event was stored, and its envelope.
struct PublishedEvent {
  Envelope envelope;
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
};

class Publisher {
 public:
  // Connects. Errors: kInvalidArgument (no events.source), and those of Producer::Create.
  static Result<std::unique_ptr<Publisher>> Create(const PublisherOptions& options);
  ~Publisher();

  // Publishes the first event of saga `saga_id` (non-empty) and waits until it is durable.
  // Errors: kInvalidArgument (empty saga id, a message that fails to serialize), and the
  // producer's (kUnknownTopic, kTimeout, ...).
  Result<PublishedEvent> Publish(std::string_view saga_id, const google::protobuf::Message& message,
                                 const PublishOptions& options = {});
  // As Publish, with an explicit event id (a retry of a Publish whose outcome is unknown).
  Result<PublishedEvent> Publish(std::string_view saga_id, std::string_view event_id,
                                 const google::protobuf::Message& message,
                                 const PublishOptions& options = {});
  // Publish without waiting: `done` gets the outcome once, on the producer's thread (it must not
  // block or call Flush/Close). Errors reported inline for an invalid message, as Publish.
  void PublishAsync(std::string_view saga_id, const google::protobuf::Message& message,
                    std::function<void(Result<PublishedEvent>)> done,
                    const PublishOptions& options = {});
  // Publishes `message` as Publish() does, after arming `timer` of the saga to publish
  // `timeout_message` after `delay`, caused by `message` and in its trace: a deadline for the
  // saga's next step that is in place before any service can react to the event (arming it after
  // publishing would race with a fast reaction that disarms it). If publishing fails, the timer is
  // cancelled again (best effort). Errors: those of PublishAfter() and Publish().
  Result<PublishedEvent> PublishWithTimer(std::string_view saga_id,
                                          const google::protobuf::Message& message,
                                          std::chrono::milliseconds delay, std::string_view timer,
                                          const google::protobuf::Message& timeout_message,
                                          const PublishOptions& options = {});
  // A payload that is not protobuf.
  Result<PublishedEvent> PublishRaw(std::string_view saga_id, const RawEvent& event,
                                    const PublishOptions& options = {});

  // Saga timers (events.h, ArmedTimer): arms `timer` of saga `saga_id` to publish `message` at
  // `due` (or after `delay`) unless CancelTimer() comes first, e.g. a payment timeout armed with
  // the order. Blocks until the broker has stored it. Errors: kInvalidArgument (empty saga id or
  // timer name, a message that fails to serialize), kUnknownTopic, kUnsupportedVersion (a broker
  // older than 1.3), kTimeout, kClosed.
  Result<ArmedTimer> PublishAt(std::chrono::system_clock::time_point due, std::string_view saga_id,
                               std::string_view timer, const google::protobuf::Message& message,
                               const PublishOptions& options = {});
  Result<ArmedTimer> PublishAfter(std::chrono::milliseconds delay, std::string_view saga_id,
                                  std::string_view timer, const google::protobuf::Message& message,
                                  const PublishOptions& options = {});
  // As above, for the saga of `after` (an event this publisher published, e.g. the saga's first):
  // the timer's event is caused by it and continues its trace, like an event a handler publishes.
  Result<ArmedTimer> PublishAt(std::chrono::system_clock::time_point due, const Envelope& after,
                               std::string_view timer, const google::protobuf::Message& message,
                               const PublishOptions& options = {});
  Result<ArmedTimer> PublishAfter(std::chrono::milliseconds delay, const Envelope& after,
                                  std::string_view timer, const google::protobuf::Message& message,
                                  const PublishOptions& options = {});
  // Disarms the timer, or says why it could not (CancelOutcome: it fired already, was cancelled
  // before, or was never armed). Errors: as PublishAt().
  Result<CancelOutcome> CancelTimer(std::string_view saga_id, std::string_view timer);

  // Waits for every event published so far. Errors: kTimeout.
  Status Flush(std::chrono::milliseconds timeout);
  Status Close(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::saga
