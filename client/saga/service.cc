// SagaService: lifecycle, the consumer thread and the step sink. The worker side (handlers,
// retries, dead letters, replays) and the dead-letter follower are in service_workers.cc.
#include <cstdio>
#include <utility>

#include "choreo/saga/schemas.h"
#include "choreo/saga/service.h"
#include "client/saga/event_codec.h"
#include "client/saga/service_impl.h"

namespace choreo::saga {

using internal::CommitPoint;
using internal::InputCommit;
using internal::StepOutcome;
using internal::StepResult;

namespace {

// Poll() returns at most this many records, so a partition's window overshoots its bound by at
// most this much (the commit metadata has room for 3x kMaxPendingPerPartition bits).
constexpr size_t kMaxPollRecords = 500;

}  // namespace

SagaService::Impl::Impl(ServiceOptions options) : options_(std::move(options)) {
  if (options_.group_id.empty()) options_.group_id = options_.service;
  if (options_.events.source.empty()) options_.events.source = options_.service;
  dlq_topic_ =
      options_.dead_letter_topic.empty() ? options_.group_id + ".dlq" : options_.dead_letter_topic;
  store_ = options_.processed_store ? options_.processed_store
                                    : std::shared_ptr<ProcessedStore>(NewInMemoryProcessedStore());
}

SagaService::Impl::~Impl() {
  Stop();
}

void SagaService::Impl::Log(LogLevel level, const std::string& message) const {
  if (options_.logger) {
    options_.logger(level, message);
    return;
  }
  if (level < LogLevel::kWarning) return;
  std::fprintf(stderr, "choreo-saga %s [%s] %s\n", options_.service.c_str(),
               level == LogLevel::kError ? "error" : "warning", message.c_str());
}

void SagaService::Impl::Register(std::string type, Registration registration) {
  Registration& slot = handlers_[std::move(type)];
  if (!registration.upcaster) registration.upcaster = std::move(slot.upcaster);
  slot = std::move(registration);
}

void SagaService::Impl::SetUpcaster(const std::string& type, AnyUpcaster upcaster) {
  handlers_[type].upcaster = std::move(upcaster);
}

Status SagaService::Impl::CheckSchemasAndTopics(const std::vector<std::string>& topics) {
  if (options_.check_schemas) {
    std::vector<const google::protobuf::Descriptor*> types = options_.schema_types;
    for (const auto& [type, r] : handlers_) {
      if (r.prototype != nullptr && r.handler) types.push_back(r.prototype->GetDescriptor());
    }
    if (Status s = CheckSchemas(options_.client, types, options_.register_schemas); !s.ok()) {
      return Status(s.code(), "service '" + options_.service + "': " + s.message());
    }
  }
  for (const std::string& topic : topics) {
    if (Status s = topics_->Ensure(topic); !s.ok()) return s;
  }
  return OkStatus();
}

Status SagaService::Impl::Start() {
  std::lock_guard start_lock(shutdown_mu_);
  if (started_) return OkStatus();
  if (stopping_) return Status(ErrorCode::kClosed, "the service was stopped");
  size_t registered = 0;
  for (const auto& [type, r] : handlers_)
    registered += (r.handler || r.raw) ? 1 : 0;
  if (registered == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "service '" + options_.service + "' has no handler: register one with On<T>()");
  }
  topics_ =
      std::make_unique<internal::TopicEnsurer>(options_.client, options_.create_topic_partitions);
  timers_ = std::make_unique<internal::SagaTimers>(options_.client, options_.events, *topics_);
  std::vector<std::string> topics = options_.topics;
  if (topics.empty()) {
    for (const auto& [type, r] : handlers_) {
      if (!r.handler && !r.raw) continue;
      std::string topic = internal::TopicFor(options_.events, type, {});
      if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(topic);
    }
  }
  topics.push_back(dlq_topic_);
  // The schema check and the topics are the first contact with the broker (and idempotent). A
  // service started before the broker, or during its restart, waits for it here up to
  // broker_wait; the calls below then find it.
  const auto wait_until = std::chrono::steady_clock::now() + options_.broker_wait;
  for (;;) {
    const Status prepared = CheckSchemasAndTopics(topics);
    if (prepared.ok()) break;
    if (prepared.code() != ErrorCode::kConnectionFailed ||
        std::chrono::steady_clock::now() >= wait_until) {
      return prepared;
    }
    Log(LogLevel::kWarning, "waiting for the broker: " + prepared.ToString());
    if (!Sleep(std::chrono::seconds(1)))
      return Status(ErrorCode::kClosed, "stopped while starting");
  }
  if (Status s = StartFollower(); !s.ok()) return s;

  sender_ = std::make_unique<internal::StepSender>(
      internal::StepSender::Options{.client = options_.client,
                                    .group_id = options_.group_id,
                                    .max_request_bytes = options_.max_step_request_bytes},
      *this, *topics_);
  if (Status s = sender_->Start(); !s.ok()) return s;
  workers_ = std::make_unique<internal::KeyedWorkerPool>(options_.workers);

  ConsumerOptions consumer_options;
  consumer_options.client = options_.client;
  consumer_options.group_id = options_.group_id;
  consumer_options.instance_id = options_.instance_id;
  consumer_options.session_timeout = options_.session_timeout;
  consumer_options.rebalance_timeout = options_.rebalance_timeout;
  consumer_options.enable_auto_commit = false;  // steps commit, atomically with their outputs
  consumer_options.commit_on_close = false;
  consumer_options.auto_offset_reset = StartFrom::kEarliest;
  consumer_options.max_poll_records = kMaxPollRecords;
  consumer_options.listener.on_assigned = [this](const auto& p) { OnAssigned(p); };
  consumer_options.listener.on_revoked = [this](const auto& p) { OnRevoked(p); };
  consumer_options.listener.on_lost = [this](const auto& p) { OnLost(p); };
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(consumer_options);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(consumer).value();
  if (Status s = consumer_->Subscribe(topics); !s.ok()) return s;
  started_ = true;
  consume_thread_ = std::thread([this] { ConsumeLoop(); });
  return OkStatus();
}

Status SagaService::Impl::Run() {
  if (Status s = Start(); !s.ok()) return s;
  {
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait(lock, [&] { return stopping_.load(); });
  }
  Stop();
  std::lock_guard lock(stop_mu_);
  return fatal_;
}

void SagaService::Impl::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
    stop_cv_.notify_all();
  }
  {
    std::lock_guard lock(mu_);
    progress_cv_.notify_all();
  }
  {
    std::lock_guard lock(parked_mu_);
    follower_cv_.notify_all();
  }
  // Run() calls Stop() when woken, possibly while a signal thread's Stop() is joining: one of them
  // joins and shuts down, the other waits for it to finish.
  std::call_once(stop_once_, [this] {
    if (consume_thread_.joinable()) consume_thread_.join();
    Shutdown();
    if (follower_thread_.joinable()) follower_thread_.join();
    if (follower_) (void)follower_->Close();
  });
}

void SagaService::Impl::Shutdown() {
  // Not stop_mu_: the threads joined here take it (Sleep, Fatal) on their way out.
  std::lock_guard lock(shutdown_mu_);
  if (shut_down_ || !started_) return;
  shut_down_ = true;
  // Handlers running now finish; queued events are handled again by the next owner.
  workers_->Stop();
  sender_->Stop(options_.client.request_timeout);
  (void)consumer_->Close();  // leaves the group: the partitions move without a session timeout
}

void SagaService::Impl::Fatal(const Status& why) {
  Log(LogLevel::kError, "stopping: " + why.ToString());
  std::lock_guard lock(stop_mu_);
  if (fatal_.ok()) fatal_ = why;
  stopping_ = true;
  stop_cv_.notify_all();
}

bool SagaService::Impl::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(stop_mu_);
  return !stop_cv_.wait_for(lock, duration, [&] { return stopping_.load(); });
}

ServiceStats SagaService::Impl::Stats() const {
  ServiceStats stats = counters_.Snapshot();
  {
    std::lock_guard lock(mu_);
    for (const auto& [tp, tracker] : progress_)
      stats.pending_events += tracker.progress.outstanding();
  }
  {
    std::lock_guard lock(parked_mu_);
    std::set<std::string, std::less<>> parked = parked_here_;
    for (const auto& [id, saga] : dead_letters_.parked())
      parked.insert(id);
    stats.parked_sagas = parked.size();
  }
  return stats;
}

// ---- Consumer thread ---------------------------------------------------------------------------

void SagaService::Impl::ConsumeLoop() {
  while (!stopping_) {
    bool resync = false;
    {
      std::lock_guard lock(mu_);
      resync = resync_requested_;
    }
    if (resync) Resynchronize();
    UpdatePauses();
    Result<std::vector<ConsumedRecord>> records = consumer_->Poll(std::chrono::milliseconds(100));
    SnapshotMember();
    if (!records.ok()) {
      Log(LogLevel::kWarning, "poll: " + records.status().ToString());
      Sleep(std::chrono::milliseconds(200));
      continue;
    }
    for (ConsumedRecord& record : *records)
      Dispatch(std::move(record));
  }
}

void SagaService::Impl::SnapshotMember() {
  std::string id = consumer_->MemberId();
  const int32_t epoch = consumer_->MemberEpoch();
  std::lock_guard lock(mu_);
  member_id_ = std::move(id);
  member_epoch_ = epoch;
}

void SagaService::Impl::Dispatch(ConsumedRecord record) {
  const TopicPartition tp{record.topic, record.partition};
  uint64_t tracker_id = 0;
  {
    std::lock_guard lock(mu_);
    auto it = progress_.find(tp);
    if (it == progress_.end()) return;  // revoked meanwhile; the next owner handles it
    if (it->second.progress.IsFinished(record.offset)) return;
    it->second.progress.Track(record.offset);
    tracker_id = it->second.id;
  }
  StepResult skip{.input = tp, .offset = record.offset, .tracker_id = tracker_id};
  if (record.topic == dlq_topic_) {
    std::optional<std::string_view> kind_name =
        FindHeader(record.record.headers, dlq_headers::kKind);
    std::optional<DeadLetterKind> kind = kind_name ? ParseDeadLetterKind(*kind_name) : std::nullopt;
    if (kind == DeadLetterKind::kReplay || kind == DeadLetterKind::kDiscard) {
      const std::string key = record.record.key;
      workers_->Submit(key, [this, record = std::move(record), tracker_id, kind] {
        HandleControl(record, tracker_id, *kind);
      });
      return;
    }
    skip.outcome = StepOutcome::kNone;  // our own dead letters: nothing to do but commit
    sender_->Add(std::move(skip));
    return;
  }
  std::string_view type, saga_id;
  const bool readable = internal::PeekEvent(record.record.headers, &type, &saga_id);
  auto registration = readable ? handlers_.find(type) : handlers_.end();
  if (registration == handlers_.end() ||
      !(registration->second.handler || registration->second.raw)) {
    skip.type = std::string(type);
    skip.outcome = StepOutcome::kSkipped;
    Log(LogLevel::kDebug, "skipping " + record.topic + "/" + std::to_string(record.partition) +
                              "@" + std::to_string(record.offset) + ": " +
                              (readable ? "no handler for " + skip.type : "not a saga event"));
    sender_->Add(std::move(skip));
    return;
  }
  // One saga's events go to one worker, in order. The worker reads the whole envelope, as views
  // into the record's strings once they are in their final place (the move into the task may
  // relocate short ones), so the key is copied before the move.
  const std::string saga(saga_id.empty() ? std::string_view(record.record.key) : saga_id);
  workers_->Submit(
      saga, [this, record = std::move(record), tracker_id] { HandleEvent(record, tracker_id); });
}

Status SagaService::Impl::Track(const TopicPartition& tp, bool seek) {
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> committed =
      consumer_->Committed({tp});
  if (!committed.ok()) return committed.status();
  CommitPoint point;
  const std::optional<OffsetAndMetadata>& c = (*committed)[tp];
  if (c.has_value()) {
    point.offset = c->offset;
    point.finished_above = internal::DecodeCommitMetadata(c->offset, c->metadata);
  } else {
    Result<int64_t> earliest = topics_->EarliestOffset(tp);
    if (!earliest.ok()) return earliest.status();
    point.offset = *earliest;
  }
  if (!seek) {
    // The consumer positioned the partition itself (committed offset, or out-of-range reset):
    // start there, keeping the finished set only if it describes that same offset.
    Result<int64_t> position = consumer_->Position(tp);
    if (position.ok() && *position != point.offset) {
      point.offset = *position;
      point.finished_above.clear();
    }
  } else if (Status s = consumer_->Seek(tp, point.offset); !s.ok()) {
    return s;
  }
  std::lock_guard lock(mu_);
  progress_.insert_or_assign(tp, Tracker{next_tracker_id_++, internal::PartitionProgress(point)});
  return OkStatus();
}

void SagaService::Impl::OnAssigned(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) {
    if (Status s = Track(tp, /*seek=*/false); !s.ok()) {
      // Without its committed state the partition cannot be consumed safely: resync retries.
      Log(LogLevel::kWarning, "loading the committed state of " + tp.topic + "/" +
                                  std::to_string(tp.partition) + ": " + s.ToString());
      std::lock_guard lock(mu_);
      resync_requested_ = true;
    }
  }
}

void SagaService::Impl::OnRevoked(const std::vector<TopicPartition>& partitions) {
  // Let the steps of these partitions reach the broker first, so the next owner starts after
  // them instead of handling them again (bounded: after that they are handled again).
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + options_.rebalance_timeout / 2;
  progress_cv_.wait_until(lock, deadline, [&] {
    if (stopping_) return true;
    for (const TopicPartition& tp : partitions) {
      auto it = progress_.find(tp);
      if (it != progress_.end() &&
          (it->second.progress.outstanding() > 0 || it->second.progress.unacknowledged > 0))
        return false;
    }
    return true;
  });
  for (const TopicPartition& tp : partitions) {
    progress_.erase(tp);
    paused_.erase(tp);
  }
}

void SagaService::Impl::OnLost(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  for (const TopicPartition& tp : partitions) {
    progress_.erase(tp);
    paused_.erase(tp);
  }
}

void SagaService::Impl::Resynchronize() {
  {
    std::lock_guard lock(mu_);
    resync_requested_ = false;
    progress_.clear();  // every queued or running step of the old trackers is dropped
  }
  {
    std::lock_guard lock(parked_mu_);
    parked_here_.clear();  // dead letters that were not committed are handled again
  }
  for (const TopicPartition& tp : consumer_->Assignment()) {
    if (Status s = Track(tp, /*seek=*/true); !s.ok()) {
      Log(LogLevel::kWarning,
          "resync of " + tp.topic + "/" + std::to_string(tp.partition) + ": " + s.ToString());
      {
        std::lock_guard lock(mu_);
        resync_requested_ = true;
      }
      Sleep(std::chrono::milliseconds(200));
      return;
    }
  }
}

void SagaService::Impl::UpdatePauses() {
  std::vector<TopicPartition> pause, resume;
  {
    std::lock_guard lock(mu_);
    size_t total = 0;
    for (const auto& [tp, tracker] : progress_)
      total += tracker.progress.outstanding();
    const bool memory_full = total >= options_.max_pending_events;
    for (const auto& [tp, tracker] : progress_) {
      const bool full = memory_full || tracker.progress.window() >=
                                           static_cast<int64_t>(options_.max_pending_per_partition);
      if (full && !paused_.count(tp)) pause.push_back(tp);
      if (!full && paused_.count(tp)) resume.push_back(tp);
    }
    for (const auto& tp : pause)
      paused_.insert(tp);
    for (const auto& tp : resume)
      paused_.erase(tp);
  }
  if (!pause.empty()) (void)consumer_->Pause(pause);
  if (!resume.empty()) (void)consumer_->Resume(resume);
}

// ---- Step sink (sender thread) ------------------------------------------------------------------

std::vector<InputCommit> SagaService::Impl::Finish(std::vector<StepResult>& results,
                                                   std::string* member_id, int32_t* member_epoch) {
  std::lock_guard lock(mu_);
  *member_id = member_id_;
  *member_epoch = member_epoch_;
  std::set<TopicPartition> touched;
  std::erase_if(results, [&](const StepResult& r) {
    auto it = progress_.find(r.input);
    if (it == progress_.end() || it->second.id != r.tracker_id) return true;
    it->second.progress.Finish(r.offset);
    ++it->second.progress.unacknowledged;
    touched.insert(r.input);
    return false;
  });
  std::vector<InputCommit> commits;
  for (const TopicPartition& tp : touched) {
    const CommitPoint point = progress_.at(tp).progress.Commit();
    commits.push_back(InputCommit{tp, point.offset, internal::EncodeCommitMetadata(point)});
  }
  return commits;
}

void SagaService::Impl::Member(std::string* member_id, int32_t* member_epoch) {
  std::lock_guard lock(mu_);
  *member_id = member_id_;
  *member_epoch = member_epoch_;
}

void SagaService::Impl::Acknowledged(const std::vector<StepResult>& results) {
  uint64_t published = 0;
  for (const StepResult& r : results) {
    published += r.outputs.size();
    using C = internal::ServiceCounters::Counter;
    switch (r.outcome) {
      case StepOutcome::kHandled:
        counters_.Add(r.type, C::kHandled);
        break;
      case StepOutcome::kDeadLettered:
        counters_.Add(r.type, C::kDeadLettered);
        break;
      case StepOutcome::kParked:
        counters_.Add(r.type, C::kParked);
        break;
      case StepOutcome::kSkipped:
        counters_.Add(r.type, C::kSkipped);
        break;
      case StepOutcome::kReplayed:
        counters_.Add(r.type, C::kReplayed, r.replayed);
        break;
      case StepOutcome::kNone:
        break;
    }
  }
  counters_.StepAcknowledged(results.size(), published);
  std::lock_guard lock(mu_);
  for (const StepResult& r : results) {
    auto it = progress_.find(r.input);
    if (it != progress_.end() && it->second.id == r.tracker_id)
      --it->second.progress.unacknowledged;
  }
  progress_cv_.notify_all();
}

void SagaService::Impl::Resync(const std::vector<StepResult>& results, const Status& why) {
  if (!results.empty()) {
    Log(LogLevel::kWarning,
        "a step request of " + std::to_string(results.size()) + " steps was not applied (" +
            why.ToString() + "); reloading the committed offsets, those events are handled again");
  }
  std::lock_guard lock(mu_);
  resync_requested_ = true;
  progress_cv_.notify_all();
}

// ---- Public API ---------------------------------------------------------------------------------

Result<std::unique_ptr<SagaService>> SagaService::Create(const ServiceOptions& options) {
  auto invalid = [](std::string message) {
    return Status(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (options.service.empty())
    return invalid("ServiceOptions::service (the service's name) is required");
  if (options.workers == 0) return invalid("ServiceOptions::workers must be at least 1");
  if (options.retry.max_attempts < 1)
    return invalid("RetryPolicy::max_attempts must be at least 1");
  if (options.retry.multiplier < 1.0) return invalid("RetryPolicy::multiplier must be >= 1");
  if (options.max_pending_per_partition == 0 ||
      options.max_pending_per_partition > internal::kMaxPendingPerPartition) {
    return invalid("ServiceOptions::max_pending_per_partition must be in 1..8192");
  }
  if (options.max_pending_events == 0)
    return invalid("ServiceOptions::max_pending_events must be > 0");
  return std::unique_ptr<SagaService>(new SagaService(std::make_unique<Impl>(options)));
}

SagaService::SagaService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SagaService::~SagaService() = default;

void SagaService::OnMessage(const google::protobuf::Message& prototype, AnyHandler handler) {
  Impl::Registration r;
  r.prototype = &prototype;
  r.handler = std::move(handler);
  impl_->Register(prototype.GetDescriptor()->full_name(), std::move(r));
}

void SagaService::OnUpcast(const google::protobuf::Message& prototype, AnyUpcaster upcaster) {
  impl_->SetUpcaster(prototype.GetDescriptor()->full_name(), std::move(upcaster));
}

void SagaService::OnRaw(std::string type, RawHandler handler) {
  Impl::Registration r;
  r.raw = std::move(handler);
  impl_->Register(std::move(type), std::move(r));
}

Status SagaService::Start() {
  return impl_->Start();
}
Status SagaService::Run() {
  return impl_->Run();
}
void SagaService::Stop() {
  impl_->Stop();
}
ServiceStats SagaService::Stats() const {
  return impl_->Stats();
}
std::string SagaService::PrometheusText() const {
  return internal::FormatPrometheus(impl_->options().service, impl_->Stats());
}

}  // namespace choreo::saga
