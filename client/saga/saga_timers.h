// SagaTimers: arming and cancelling saga timers (events.h, ArmedTimer) for the Publisher and the
// HandlerContext: encodes the timer's event like any saga event and schedules it with the broker
// (Producer::Schedule's machinery, client/producer/scheduled_sends.h).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/saga/envelope.h"
#include "choreo/saga/events.h"
#include "client/producer/scheduled_sends.h"
#include "client/saga/event_codec.h"
#include "client/saga/topic_ensurer.h"

namespace choreo::saga::internal {

class SagaTimers {
 public:
  // All borrowed; they must outlive this object.
  SagaTimers(const ClientOptions& client, const EventOptions& events, TopicEnsurer& topics);

  // What the timer's event follows: the event that caused it (its id becomes ce_causationid) and
  // the trace it continues (with a new span). Empty: no causation, a new trace.
  struct Cause {
    std::string_view event_id;
    std::optional<TraceContext> trace;
  };
  static Cause CauseOf(const EventView& event);
  static Cause CauseOf(const Envelope& event);

  // Arms timer `timer` of saga `saga_id` to publish `payload` at `due`. Errors: kInvalidArgument
  // (empty saga id or timer name, an id over 512 bytes), those of TopicEnsurer::Ensure and
  // Producer::Schedule.
  Result<ArmedTimer> Arm(std::string_view saga_id, std::string_view timer,
                         std::chrono::system_clock::time_point due, Result<EncodedPayload> payload,
                         const PublishOptions& options, const Cause& cause);
  // What cancelling found (CancelOutcome); safe to repeat.
  Result<CancelOutcome> Cancel(std::string_view saga_id, std::string_view timer);

 private:
  const EventOptions& events_;
  TopicEnsurer& topics_;
  client_internal::ScheduledSends sends_;
};

}  // namespace choreo::saga::internal
