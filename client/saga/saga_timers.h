// SagaTimers: arming and cancelling saga timers (events.h, ArmedTimer) for the Publisher and the
// HandlerContext: encodes the timer's event like any saga event and schedules it with the broker
// (Producer::Schedule's machinery, client/producer/scheduled_sends.h).
#pragma once

#include <chrono>
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

  // Arms timer `timer` of saga `saga_id` to publish `payload` at `due`. `cause`: the event being
  // handled (its id becomes the causation, its trace continues), or null for a saga's first
  // events (a new trace). Errors: kInvalidArgument (empty saga id or timer name, an id over 512
  // bytes), those of TopicEnsurer::Ensure and Producer::Schedule.
  Result<ArmedTimer> Arm(std::string_view saga_id, std::string_view timer,
                         std::chrono::system_clock::time_point due, Result<EncodedPayload> payload,
                         const PublishOptions& options, const EventView* cause);
  // What cancelling found (CancelOutcome); safe to repeat.
  Result<CancelOutcome> Cancel(std::string_view saga_id, std::string_view timer);

 private:
  const EventOptions& events_;
  TopicEnsurer& topics_;
  client_internal::ScheduledSends sends_;
};

}  // namespace choreo::saga::internal
