// SagaService::Impl: wires the consumer, the worker pool, the step sender and the dead-letter
// follower together. See service.h for the contract; this header is private.
//
// Threads and what they own:
//   consumer thread   Poll(), dispatch to workers, rebalance callbacks, pauses, resyncs
//   worker threads    handler calls (one saga at a time per worker), replays
//   sender thread     step requests (step_sender.h)
//   follower thread   reads the dead-letter topic into the parked-saga index
// `mu_` guards the per-partition progress and the member's identity; `parked_mu_` the parked
// sagas. Neither is held while calling a handler or the broker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/saga/dead_letters.h"
#include "choreo/saga/service.h"
#include "client/saga/event_codec.h"
#include "client/saga/offset_tracker.h"
#include "client/saga/saga_timers.h"
#include "client/saga/service_stats.h"
#include "client/saga/step_sender.h"
#include "client/saga/topic_ensurer.h"
#include "client/saga/worker_pool.h"

namespace choreo::saga {

class SagaService::Impl final : public internal::StepSink {
 public:
  explicit Impl(ServiceOptions options);
  ~Impl() override;

  struct Registration {
    const google::protobuf::Message* prototype = nullptr;  // null for a raw handler
    AnyHandler handler;
    AnyUpcaster upcaster;
    RawHandler raw;
  };
  void Register(std::string type, Registration registration);
  void SetUpcaster(const std::string& type, AnyUpcaster upcaster);

  Status Start();
  // Start()'s first calls to the broker: the schema check (check_schemas) and missing topics.
  Status CheckSchemasAndTopics(const std::vector<std::string>& topics);
  Status Run();
  void Stop();
  ServiceStats Stats() const;
  const ServiceOptions& options() const { return options_; }

  // StepSink.
  std::vector<internal::InputCommit> Finish(std::vector<internal::StepResult>& results,
                                            std::string* member_id, int32_t* member_epoch) override;
  void Member(std::string* member_id, int32_t* member_epoch) override;
  void Acknowledged(const std::vector<internal::StepResult>& results) override;
  void Resync(const std::vector<internal::StepResult>& results, const Status& why) override;
  void Fatal(const Status& why) override;

 private:
  struct Tracker {
    uint64_t id = 0;
    internal::PartitionProgress progress;
  };
  // The outcome of running a handler with its retries.
  struct Attempted {
    Status status;
    int attempts = 0;
    std::vector<internal::StepOutput> outputs;
  };

  void Log(LogLevel level, const std::string& message) const;

  // Consumer thread.
  void ConsumeLoop();
  void Dispatch(ConsumedRecord record);
  void OnAssigned(const std::vector<TopicPartition>& partitions);
  void OnRevoked(const std::vector<TopicPartition>& partitions);
  void OnLost(const std::vector<TopicPartition>& partitions);
  void Resynchronize();
  void UpdatePauses();
  void SnapshotMember();
  // A tracker for `tp` starting at the consumer's position and the committed finished set.
  Status Track(const TopicPartition& tp, bool seek);
  void Shutdown();

  // Worker threads.
  void HandleEvent(const ConsumedRecord& record, uint64_t tracker_id);
  void HandleControl(const ConsumedRecord& record, uint64_t tracker_id, DeadLetterKind kind);
  Attempted RunHandler(const Registration& registration, const internal::EventView& event,
                       const ConsumedRecord& record);
  Status CallHandler(const Registration& registration, const internal::EventView& event,
                     const ConsumedRecord& record, int attempt,
                     std::vector<internal::StepOutput>* outputs);
  bool IsCurrent(const TopicPartition& tp, uint64_t tracker_id);
  bool IsParked(const std::string& saga_id);
  std::string HandlerName(std::string_view type) const;

  // Follower thread.
  Status StartFollower();
  void FollowLoop();
  // Waits until the follower has read `partition` of the dead-letter topic past `offset`.
  bool WaitFollower(uint32_t partition, int64_t offset);

  bool Sleep(std::chrono::milliseconds duration);  // false when stopping

  ServiceOptions options_;
  std::string dlq_topic_;
  std::map<std::string, Registration, std::less<>> handlers_;
  std::shared_ptr<ProcessedStore> store_;
  internal::ServiceCounters counters_;

  std::unique_ptr<internal::TopicEnsurer> topics_;
  // Arms and cancels the handlers' saga timers (HandlerContext::PublishAt).
  std::unique_ptr<internal::SagaTimers> timers_;
  std::unique_ptr<Consumer> consumer_;
  std::unique_ptr<internal::KeyedWorkerPool> workers_;
  std::unique_ptr<internal::StepSender> sender_;

  mutable std::mutex mu_;
  std::condition_variable progress_cv_;
  std::map<TopicPartition, Tracker> progress_;
  uint64_t next_tracker_id_ = 1;
  std::string member_id_;
  int32_t member_epoch_ = 0;
  bool resync_requested_ = false;
  std::set<TopicPartition> paused_;  // consumer thread only

  mutable std::mutex parked_mu_;
  std::condition_variable follower_cv_;
  DeadLetterIndex dead_letters_;
  std::set<std::string, std::less<>>
      parked_here_;  // dead-lettered by this process, not yet read back
  std::map<uint32_t, int64_t> follower_position_;
  std::unique_ptr<Consumer> follower_;
  std::thread follower_thread_;

  std::mutex shutdown_mu_;  // Start() and Shutdown()
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stopping_{false};
  std::once_flag stop_once_;
  bool started_ = false;
  bool shut_down_ = false;
  Status fatal_;
  std::thread consume_thread_;
};

}  // namespace choreo::saga
