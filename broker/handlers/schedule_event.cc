// ScheduleEvent and CancelScheduledEvent: store a record batch now and append it to its topic when
// due (broker/scheduled/scheduled_delivery.h delivers it), or take it back. Durable before the
// answer, like a produce.
#include <absl/strings/str_cat.h>

#include <optional>
#include <string>

#include "broker/error_mapping.h"
#include "broker/handlers/authorize.h"
#include "broker/handlers/auto_create.h"
#include "broker/handlers/batch_check.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"
#include "broker/scheduled/scheduled_delivery.h"

namespace choreo::broker {
namespace {

// The reason an id cannot name a scheduled event, or "".
std::string BadId(const std::string& id) {
  if (id.empty()) return "a scheduled event needs an id (the handle to cancel it)";
  if (id.size() > storage::kMaxScheduledIdLength) {
    return absl::StrCat("scheduled event id of ", id.size(), " bytes; at most ",
                        storage::kMaxScheduledIdLength);
  }
  return "";
}

}  // namespace

asio::awaitable<proto::Response> HandleScheduleEvent(RequestContext& ctx, proto::Request& request) {
  proto::ScheduleEventRequest& schedule = *request.mutable_schedule_event();
  proto::Response response;
  proto::ScheduleEventResponse* body = response.mutable_schedule_event();
  BrokerServices& services = ctx.services;
  if (std::string bad = BadId(schedule.id()); !bad.empty()) {
    SetError(proto::INVALID_REQUEST, bad, response.mutable_error());
    co_return response;
  }
  if (schedule.due_time_ms() < 0 || schedule.due_time_ms() == INT64_MAX) {
    SetError(proto::INVALID_REQUEST,
             absl::StrCat("scheduled event '", schedule.id(), "': invalid due time ",
                          schedule.due_time_ms(), " (milliseconds since the Unix epoch)"),
             response.mutable_error());
    co_return response;
  }
  if (services.store.PendingScheduledEvents() >= services.options.max_scheduled_events) {
    SetError(proto::RESOURCE_EXHAUSTED,
             absl::StrCat("scheduled event '", schedule.id(),
                          "': ", services.options.max_scheduled_events,
                          " scheduled events are pending already (--max-scheduled-events)"),
             response.mutable_error());
    co_return response;
  }

  std::optional<storage::TopicInfo> topic = services.topics.Find(schedule.topic());
  if (!topic && services.options.auto_create_topics) {
    topic = co_await RunBlocking(services.blocking,
                                 [&] { return AutoCreateTopic(services, schedule.topic()); });
  }
  storage::BatchFields fields;
  std::string message;
  // The same checks as a produce, schema validation included: a record refused now would be
  // refused when due.
  if (proto::ErrorCode code =
          CheckBatch(services.options, topic, schedule.topic(), schedule.partition(),
                     schedule.batch(), &fields, &message, &services.schemas);
      code != proto::NONE) {
    SetError(code, absl::StrCat("scheduled event '", schedule.id(), "': ", message),
             response.mutable_error());
    co_return response;
  }
  if (fields.producer_id >= 0) {
    SetError(proto::INVALID_REQUEST,
             absl::StrCat("scheduled event '", schedule.id(),
                          "': its batch carries a producer id; a scheduled batch must not (the "
                          "broker makes its delivery exactly-once)"),
             response.mutable_error());
    co_return response;
  }

  const int64_t due_ms = schedule.due_time_ms();
  absl::StatusOr<storage::ScheduleResult> scheduled = co_await RunBlocking(services.blocking, [&] {
    return services.store.ScheduleEvent(
        storage::ScheduledEvent{.id = schedule.id(),
                                .due_ms = due_ms,
                                .topic = schedule.topic(),
                                .partition = schedule.partition(),
                                .batch = std::move(*schedule.mutable_batch()),
                                .fields = std::move(fields)});
  });
  if (!scheduled.ok()) {
    SetError(scheduled.status(), response.mutable_error());
    co_return response;
  }
  if (!scheduled->already_scheduled) services.scheduled.Notify(due_ms);
  body->set_already_scheduled(scheduled->already_scheduled);
  body->set_due_time_ms(scheduled->due_ms);
  co_return response;
}

asio::awaitable<proto::Response> HandleCancelScheduledEvent(RequestContext& ctx,
                                                            proto::Request& request) {
  const std::string& id = request.cancel_scheduled_event().id();
  proto::Response response;
  proto::CancelScheduledEventResponse* body = response.mutable_cancel_scheduled_event();
  if (std::string bad = BadId(id); !bad.empty()) {
    SetError(proto::INVALID_REQUEST, bad, response.mutable_error());
    co_return response;
  }
  BrokerServices& services = ctx.services;
  // Cancelling needs write on the event's topic. The request names only the id, so the store
  // hands the pending event's topic to this check before it writes anything. A cancel of an id
  // that is not pending needs nothing more: it changes nothing, and says only what became of it.
  std::optional<AclDenial> denied;
  const storage::LogStore::CancelCheck check = [&](const std::string& topic) {
    denied = CheckTopic(ctx, AclOperation::kWrite, topic);
    return denied ? absl::PermissionDeniedError("denied") : absl::OkStatus();
  };
  absl::StatusOr<storage::CancelOutcome> cancelled = co_await RunBlocking(
      services.blocking, [&] { return services.store.CancelScheduledEvent(id, check); });
  if (denied) {
    SetError(proto::AUTHORIZATION_FAILED, DenialMessage(ctx.connection.principal(), *denied),
             response.mutable_error());
    co_return response;
  }
  if (!cancelled.ok()) {
    SetError(cancelled.status(), response.mutable_error());
    co_return response;
  }
  switch (*cancelled) {
    case storage::CancelOutcome::kCancelled:
      body->set_outcome(proto::CANCEL_CANCELLED);
      break;
    case storage::CancelOutcome::kAlreadyCancelled:
      body->set_outcome(proto::CANCEL_ALREADY_CANCELLED);
      break;
    case storage::CancelOutcome::kDelivered:
      body->set_outcome(proto::CANCEL_DELIVERED);
      break;
    case storage::CancelOutcome::kNotFound:
      body->set_outcome(proto::CANCEL_NOT_FOUND);
      break;
  }
  co_return response;
}

}  // namespace choreo::broker
