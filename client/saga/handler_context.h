// StepContext: the HandlerContext of one handler attempt. It collects what the handler publishes
// (as records for the step) instead of sending it, so that the outputs become visible only with
// the step's commit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "choreo/saga/service.h"
#include "client/saga/event_codec.h"
#include "client/saga/saga_timers.h"
#include "client/saga/step_sender.h"
#include "client/saga/topic_ensurer.h"

namespace choreo::saga::internal {

class StepContext final : public HandlerContext {
 public:
  // All borrowed; they outlive the handler call. `event` views `record`'s headers.
  StepContext(const EventView& event, const ConsumedRecord& record, int attempt,
              const std::string& group_id, const EventOptions& events, ProcessedStore& store,
              TopicEnsurer& topics, SagaTimers& timers)
      : event_(event),
        saga_id_(event.saga_id.empty() ? std::string_view(record.record.key) : event.saga_id),
        record_(record),
        attempt_(attempt),
        group_id_(group_id),
        events_(events),
        store_(store),
        topics_(topics),
        timers_(timers) {}

  // Built on first use: most handlers never ask for more than the saga id.
  const Envelope& event() const override;
  const std::string& saga_id() const override { return saga_id_; }
  const std::string& topic() const override { return record_.topic; }
  uint32_t partition() const override { return record_.partition; }
  int64_t offset() const override { return record_.offset; }
  int attempt() const override { return attempt_; }

  Status Publish(const google::protobuf::Message& message, const PublishOptions& options) override;
  Status PublishRaw(const RawEvent& event, const PublishOptions& options) override;
  std::string IdempotencyKey() const override;
  Result<std::string> Once(std::string_view name, const ProcessedStore::Effect& effect) override;
  Result<ArmedTimer> PublishAt(std::chrono::system_clock::time_point due, std::string_view timer,
                               const google::protobuf::Message& message,
                               const PublishOptions& options) override;
  Result<CancelOutcome> CancelTimer(std::string_view timer) override;

  // What the handler published, in order.
  std::vector<StepOutput>& outputs() { return outputs_; }

 private:
  Status Add(Result<EncodedPayload> payload, const PublishOptions& options);

  const EventView& event_;
  const std::string saga_id_;
  mutable std::optional<Envelope> envelope_;
  const ConsumedRecord& record_;
  const int attempt_;
  const std::string& group_id_;
  const EventOptions& events_;
  ProcessedStore& store_;
  TopicEnsurer& topics_;
  SagaTimers& timers_;
  std::vector<StepOutput> outputs_;
};

}  // namespace choreo::saga::internal
