#include "client/saga/saga_timers.h"

#include <string>
#include <utility>

namespace choreo::saga {

std::string TimerId(std::string_view saga_id, std::string_view timer) {
  std::string id;
  id.reserve(saga_id.size() + timer.size() + 1);
  id.append(saga_id).append("/").append(timer);
  return id;
}

namespace internal {
namespace {

ProducerOptions SendOptions(const ClientOptions& client) {
  ProducerOptions options;
  options.client = client;
  return options;
}

int64_t ToMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

SagaTimers::SagaTimers(const ClientOptions& client, const EventOptions& events,
                       TopicEnsurer& topics)
    : events_(events), topics_(topics), sends_(SendOptions(client)) {}

SagaTimers::Cause SagaTimers::CauseOf(const EventView& event) {
  return Cause{.event_id = event.id,
               .trace = TraceContext::Parse(event.traceparent, event.tracestate)};
}

SagaTimers::Cause SagaTimers::CauseOf(const Envelope& event) {
  Cause cause{.event_id = event.id, .trace = std::nullopt};
  if (!event.trace.trace_id.empty()) cause.trace = event.trace;
  return cause;
}

Result<ArmedTimer> SagaTimers::Arm(std::string_view saga_id, std::string_view timer,
                                   std::chrono::system_clock::time_point due,
                                   Result<EncodedPayload> payload, const PublishOptions& options,
                                   const Cause& cause) {
  if (saga_id.empty()) return Status(ErrorCode::kInvalidArgument, "a saga id must not be empty");
  if (timer.empty()) return Status(ErrorCode::kInvalidArgument, "a timer needs a name");
  if (!payload.ok()) return payload.status();
  const std::string id = TimerId(saga_id, timer);
  const int64_t due_ms = ToMs(due);
  Envelope envelope = NewEnvelope(events_, *payload, saga_id, due_ms);
  envelope.causation_id = std::string(cause.event_id);
  envelope.trace = cause.trace.has_value() ? cause.trace->NewSpan() : TraceContext::NewTrace();
  std::string topic = TopicFor(events_, envelope.type, options);
  if (Status exists = topics_.Ensure(topic); !exists.ok()) return exists;
  Record record = MakeEventRecord(envelope, std::move(payload->payload));
  record.timestamp_ms = due_ms;
  Result<ScheduledRecord> scheduled = sends_.Schedule(id, due, topic, std::move(record), {});
  if (!scheduled.ok()) return scheduled.status();
  return ArmedTimer{.id = id, .already_armed = scheduled->already_scheduled, .due = scheduled->due};
}

Result<CancelOutcome> SagaTimers::Cancel(std::string_view saga_id, std::string_view timer) {
  if (saga_id.empty()) return Status(ErrorCode::kInvalidArgument, "a saga id must not be empty");
  if (timer.empty()) return Status(ErrorCode::kInvalidArgument, "a timer needs a name");
  return sends_.Cancel(TimerId(saga_id, timer));
}

}  // namespace internal
}  // namespace choreo::saga
