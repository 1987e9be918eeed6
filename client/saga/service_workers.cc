// SagaService, worker side: running handlers with retries, dead letters and parking, replays and
// discards; and the follower that keeps the parked-saga index from the dead-letter topic.
#include <exception>
#include <random>

#include "client/saga/event_codec.h"
#include "client/saga/handler_context.h"
#include "client/saga/service_impl.h"

namespace choreo::saga {

using internal::StepOutcome;
using internal::StepOutput;
using internal::StepResult;

bool SagaService::Impl::IsCurrent(const TopicPartition& tp, uint64_t tracker_id) {
  std::lock_guard lock(mu_);
  auto it = progress_.find(tp);
  return it != progress_.end() && it->second.id == tracker_id;
}

bool SagaService::Impl::IsParked(const std::string& saga_id) {
  std::lock_guard lock(parked_mu_);
  return parked_here_.count(saga_id) > 0 || dead_letters_.IsParked(saga_id);
}

std::string SagaService::Impl::HandlerName(std::string_view type) const {
  return options_.group_id + "/" + std::string(type);
}

Status SagaService::Impl::CallHandler(const Registration& registration,
                                      const internal::EventView& event,
                                      const ConsumedRecord& record, int attempt,
                                      std::vector<StepOutput>* outputs) {
  internal::StepContext context(event, record, attempt, options_.group_id, options_.events, *store_,
                                *topics_, *timers_);
  Status status;
  try {
    if (registration.raw) {
      status = registration.raw(context, record.record.value);
    } else {
      std::unique_ptr<google::protobuf::Message> message(registration.prototype->New());
      status = internal::DecodeMessage(event.content_type, record.record.value, message.get());
      if (!status.ok()) return status;
      auto current = options_.events.schema_versions.find(event.type);
      const int current_version =
          current == options_.events.schema_versions.end() ? 1 : current->second;
      if (event.SchemaVersion() < current_version && registration.upcaster) {
        status = registration.upcaster(event.SchemaVersion(), *message);
        if (!status.ok()) return status;
      }
      status = registration.handler(context, *message);
    }
  } catch (const std::exception& e) {
    status = Status(ErrorCode::kUnknown, std::string("handler threw: ") + e.what());
  } catch (...) {
    status = Status(ErrorCode::kUnknown, "handler threw a non-standard exception");
  }
  if (status.ok()) *outputs = std::move(context.outputs());
  return status;
}

SagaService::Impl::Attempted SagaService::Impl::RunHandler(const Registration& registration,
                                                           const internal::EventView& event,
                                                           const ConsumedRecord& record) {
  using C = internal::ServiceCounters::Counter;
  static thread_local std::mt19937 jitter(std::random_device{}());
  Attempted out;
  std::chrono::duration<double, std::milli> backoff = options_.retry.initial_backoff;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    out.attempts = attempt;
    if (attempt > 1) counters_.Add(event.type, C::kRetried);
    out.status = CallHandler(registration, event, record, attempt, &out.outputs);
    if (out.status.ok()) return out;
    counters_.Add(event.type, C::kFailed);
    // An undecodable payload fails the same way every time: no point retrying it.
    if (out.status.code() == ErrorCode::kInvalidArgument && attempt == 1 &&
        out.status.message().rfind("payload of", 0) == 0) {
      return out;
    }
    if (attempt == options_.retry.max_attempts) break;
    const auto wait = std::chrono::milliseconds(static_cast<int64_t>(
        backoff.count() * std::uniform_real_distribution<double>(0.8, 1.2)(jitter)));
    if (!Sleep(wait)) {
      out.status = Status(ErrorCode::kClosed, "stopping");
      return out;
    }
    backoff = std::min<std::chrono::duration<double, std::milli>>(
        backoff * options_.retry.multiplier, options_.retry.max_backoff);
  }
  return out;
}

void SagaService::Impl::HandleEvent(const ConsumedRecord& record, uint64_t tracker_id) {
  const TopicPartition tp{record.topic, record.partition};
  if (stopping_ || !IsCurrent(tp, tracker_id)) return;
  internal::EventView event;
  if (Status readable = internal::ReadEventView(record.record.headers, &event); !readable.ok()) {
    // Routed by type, but the rest of its envelope is malformed (a bad ce_time): skipped, and
    // committed like any skipped event.
    Log(LogLevel::kDebug, "skipping " + record.topic + "/" + std::to_string(record.partition) +
                              "@" + std::to_string(record.offset) + ": " + readable.message());
    sender_->Add(StepResult{.input = tp,
                            .offset = record.offset,
                            .tracker_id = tracker_id,
                            .outcome = StepOutcome::kSkipped});
    return;
  }
  const std::string saga(event.saga_id.empty() ? std::string_view(record.record.key)
                                               : event.saga_id);
  StepResult result{.input = tp,
                    .offset = record.offset,
                    .tracker_id = tracker_id,
                    .type = std::string(event.type)};
  if (options_.park_sagas && IsParked(saga)) {
    result.outcome = StepOutcome::kParked;
    result.outputs.push_back(StepOutput::FromRecord(
        dlq_topic_, MakeDeadLetterRecord(DeadLetterKind::kParked, record, saga, "", 0,
                                         HandlerName(event.type), internal::NowMs())));
    sender_->Add(std::move(result));
    return;
  }
  Attempted attempted = RunHandler(handlers_.find(event.type)->second, event, record);
  if (attempted.status.ok()) {
    result.outputs = std::move(attempted.outputs);
    sender_->Add(std::move(result));
    return;
  }
  if (stopping_ || !IsCurrent(tp, tracker_id)) return;  // handled again by whoever owns it next
  Log(LogLevel::kWarning, "dead-lettering " + result.type + " " + std::string(event.id) +
                              " of saga " + saga + " after " + std::to_string(attempted.attempts) +
                              " attempts: " + attempted.status.ToString());
  result.outcome = StepOutcome::kDeadLettered;
  result.outputs.push_back(StepOutput::FromRecord(
      dlq_topic_,
      MakeDeadLetterRecord(DeadLetterKind::kDead, record, saga, attempted.status.ToString(),
                           attempted.attempts, HandlerName(event.type), internal::NowMs())));
  if (options_.park_sagas) {
    std::lock_guard lock(parked_mu_);
    parked_here_.insert(saga);
  }
  sender_->Add(std::move(result));
}

void SagaService::Impl::HandleControl(const ConsumedRecord& record, uint64_t tracker_id,
                                      DeadLetterKind kind) {
  const TopicPartition tp{record.topic, record.partition};
  const std::string& saga = record.record.key;
  // The follower must have read the saga's dead letters before this request (same partition).
  if (!WaitFollower(record.partition, record.offset)) return;
  if (stopping_ || !IsCurrent(tp, tracker_id)) return;
  std::vector<DeadLetter> letters;
  {
    std::lock_guard lock(parked_mu_);
    if (const ParkedSaga* parked = dead_letters_.Find(saga)) {
      for (const DeadLetter& d : parked->records) {
        if (d.dlq_offset < record.offset) letters.push_back(d);
      }
    }
  }
  StepResult result{.input = tp,
                    .offset = record.offset,
                    .tracker_id = tracker_id,
                    .outcome = StepOutcome::kReplayed};
  int64_t through = -1;
  if (kind == DeadLetterKind::kDiscard) {
    if (!letters.empty()) through = letters.back().dlq_offset;
  } else {
    for (const DeadLetter& d : letters) {
      const ConsumedRecord original{d.topic, d.partition, d.offset, d.record};
      internal::EventView event;
      const bool readable = internal::ReadEventView(original.record.headers, &event).ok();
      auto registration = readable ? handlers_.find(event.type) : handlers_.end();
      if (registration == handlers_.end() ||
          !(registration->second.handler || registration->second.raw)) {
        through = d.dlq_offset;  // nothing here handles it any more: drop it
        continue;
      }
      Attempted attempted = RunHandler(registration->second, event, original);
      if (!attempted.status.ok()) {
        // The saga stays parked from this event on; a later replay starts here.
        Log(LogLevel::kWarning, "replay of saga " + saga + " stopped at " + std::string(event.id) +
                                    ": " + attempted.status.ToString());
        break;
      }
      for (StepOutput& o : attempted.outputs)
        result.outputs.push_back(std::move(o));
      through = d.dlq_offset;
      ++result.replayed;
    }
  }
  if (stopping_ || !IsCurrent(tp, tracker_id)) return;
  if (through >= 0) {
    result.outputs.push_back(
        StepOutput::FromRecord(dlq_topic_, MakeResolvedRecord(saga, kind, through)));
    if (through == letters.back().dlq_offset) {
      // Everything parked was resolved: the saga's next events are handled again at once (the
      // follower confirms once the resolved record is read back).
      std::lock_guard lock(parked_mu_);
      parked_here_.erase(saga);
    }
  }
  sender_->Add(std::move(result));
}

// ---- Dead-letter follower ----------------------------------------------------------------------

Status SagaService::Impl::StartFollower() {
  Result<TopicDescription> described = topics_->Describe(dlq_topic_);
  if (!described.ok()) return described.status();
  ConsumerOptions options;
  options.client = options_.client;
  Result<std::unique_ptr<Consumer>> follower = Consumer::Create(options);
  if (!follower.ok()) return follower.status();
  follower_ = std::move(follower).value();
  std::vector<PartitionAssignment> assignments;
  std::map<uint32_t, int64_t> ends;
  for (const PartitionDescription& p : described->partitions) {
    assignments.push_back(PartitionAssignment{.partition = {dlq_topic_, p.partition},
                                              .offset = std::nullopt,
                                              .start_from = StartFrom::kEarliest});
    ends[p.partition] = p.high_watermark;
  }
  if (Status s = follower_->Assign(assignments); !s.ok()) return s;
  follower_thread_ = std::thread([this] { FollowLoop(); });
  // Know every parked saga before handling anything.
  for (const auto& [partition, end] : ends) {
    if (end > 0 && !WaitFollower(partition, end - 1)) {
      return Status(ErrorCode::kTimeout,
                    "reading the dead-letter topic '" + dlq_topic_ + "' took too long");
    }
  }
  return OkStatus();
}

void SagaService::Impl::FollowLoop() {
  while (!stopping_) {
    Result<std::vector<ConsumedRecord>> records = follower_->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) {
      Log(LogLevel::kWarning, "reading " + dlq_topic_ + ": " + records.status().ToString());
      Sleep(std::chrono::milliseconds(500));
      continue;
    }
    std::lock_guard lock(parked_mu_);
    for (const ConsumedRecord& r : *records) {
      dead_letters_.Apply(r);
      if (FindHeader(r.record.headers, dlq_headers::kKind) == "resolved" &&
          !dead_letters_.IsParked(r.record.key)) {
        parked_here_.erase(r.record.key);
      }
    }
    for (TopicPartition tp : follower_->Assignment()) {
      Result<int64_t> position = follower_->Position(tp);
      if (position.ok()) follower_position_[tp.partition] = *position;
    }
    follower_cv_.notify_all();
  }
}

bool SagaService::Impl::WaitFollower(uint32_t partition, int64_t offset) {
  std::unique_lock lock(parked_mu_);
  return follower_cv_.wait_for(lock, options_.client.request_timeout, [&] {
    if (stopping_) return true;
    auto it = follower_position_.find(partition);
    return it != follower_position_.end() && it->second > offset;
  }) && !stopping_;
}

}  // namespace choreo::saga
