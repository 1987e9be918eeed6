// LogStore::Impl: wires StoreDb, TopicRegistry, ProducerRegistry, GroupOffsetStore, the
// Committer and retention together. Its methods are spread over log_store.cc (topics, appends,
// reads, open/close), log_store_step.cc (exactly-once steps), log_store_admin.cc (producers, group
// offsets), log_store_retention.cc, log_store_stats.cc, log_store_events.cc (the event index),
// log_store_schemas.cc and log_store_scheduled.cc (scheduled events).
//
// Locks, always taken in this order:
//   retention_mu_     serializes retention passes (they own the per-partition size accounting).
//   topic_change_mu_  exclusive for DeleteTopic, shared for group-offset commits and retention
//                     writes: a deletion never interleaves with a write that resolved the topic
//                     before it (which would leave keys of a dead topic behind).
//   db_mu_            shared by every operation that touches RocksDB on the caller's thread,
//                     exclusive in Close() while it destroys the database, so no call ever sees a
//                     closed DB. Appends do not take it: the committer refuses them once stopping
//                     and is stopped before the database is closed.
//   committer's commit mutex (RunExclusive), then the registries' own mutexes.
#pragma once

#include <absl/functional/function_ref.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/committer.h"
#include "storage/event_index.h"
#include "storage/event_index_filter.h"
#include "storage/group_offsets.h"
#include "storage/partition_reader.h"
#include "storage/pending_append.h"
#include "storage/producer_registry.h"
#include "storage/scheduled_events.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"
#include "storage/write_recovery.h"

namespace choreo::storage {

class LogStore::Impl {
 public:
  Impl(const StoreOptions& options, std::unique_ptr<StoreDb> db,
       std::unique_ptr<TopicRegistry> registry, std::unique_ptr<ProducerRegistry> producers,
       std::unique_ptr<EventIndex> index,
       std::shared_ptr<EventIndexTrimFilterFactory> index_filter);
  ~Impl();

  // log_store.cc
  absl::StatusOr<TopicInfo> CreateTopic(std::string_view name, const TopicConfig& config);
  absl::Status DeleteTopic(std::string_view name);
  absl::StatusOr<TopicInfo> AlterTopic(std::string_view name, const TopicConfigUpdate& update);
  std::vector<TopicInfo> ListTopics() const;
  absl::StatusOr<TopicInfo> GetTopic(std::string_view name) const;
  void Append(std::string_view name, PartitionId partition, std::string batch,
              const BatchFields& fields, AppendCallback done);
  absl::StatusOr<AppendResult> AppendAndWait(std::string_view name, PartitionId partition,
                                             std::string batch, const BatchFields& fields);
  absl::StatusOr<ReadResult> Read(std::string_view name, PartitionId partition, Offset offset,
                                  uint64_t max_bytes, ReadTier tier) const;
  absl::StatusOr<PartitionOffsets> GetOffsets(std::string_view name, PartitionId partition) const;
  absl::StatusOr<Offset> OffsetForTimestamp(std::string_view name, PartitionId partition,
                                            int64_t timestamp_ms) const;
  void SetCommitListener(CommitListener listener);
  absl::Status Close();

  // log_store_step.cc
  void AppendStep(StepAppends step, StepCallback done);

  // log_store_admin.cc
  absl::StatusOr<ProducerIdentity> InitProducer(int64_t producer_id, int32_t epoch,
                                                bool bump_epoch);

  // log_store_producers.cc
  absl::StatusOr<size_t> ExpireProducers(int64_t now_ms);
  // Open(): feeds the partitions' last append times into the registry, drops the states of
  // producers it does not know, and expires idle producers.
  absl::Status ReconcileProducers(int64_t now_ms);
  absl::Status CommitGroupOffsets(std::string_view group, const std::vector<GroupOffset>& offsets);
  absl::StatusOr<std::vector<GroupOffset>> FetchGroupOffsets(std::string_view group) const;
  absl::StatusOr<std::vector<GroupOffset>> FetchGroupOffsets(
      std::string_view group, const std::vector<TopicPartition>& partitions) const;
  absl::Status DeleteGroupOffsets(std::string_view group);
  absl::StatusOr<std::vector<std::string>> ListGroupsWithOffsets() const;

  // log_store_retention.cc
  absl::StatusOr<int64_t> ApplyRetention(int64_t now_ms);
  absl::Status Flush();

  // log_store_stats.cc
  absl::StatusOr<DbStats> GetDbStats() const;
  WriteHealth GetWriteHealth() const;

  // log_store_events.cc
  absl::StatusOr<EventPage> FindEvents(const EventQuery& query) const;
  absl::Status DefineSaga(const SagaDefinition& definition);
  absl::Status RemoveSagaDefinition(std::string_view name);
  std::vector<SagaDefinition> ListSagaDefinitions() const;
  absl::StatusOr<std::vector<OpenSaga>> ListStuckSagas(std::string_view definition, int64_t now_ms,
                                                       size_t limit) const;
  absl::StatusOr<std::vector<OpenSagaCount>> CountOpenSagas(int64_t now_ms) const;
  absl::Status CompactEventIndex();

  // log_store_schemas.cc
  absl::Status PutSchema(const StoredSchema& schema);
  absl::StatusOr<std::vector<StoredSchema>> ListSchemas() const;

  // log_store_security.cc
  absl::Status PutSecurityRecord(SecurityRecordKind kind, const SecurityRecord& record);
  absl::Status DeleteSecurityRecord(SecurityRecordKind kind, std::string_view key);
  absl::StatusOr<std::vector<SecurityRecord>> ListSecurityRecords(SecurityRecordKind kind) const;

  // log_store_scheduled.cc
  // Counts the pending scheduled events (Open(), before the store is used).
  absl::Status LoadScheduled();
  absl::StatusOr<ScheduleResult> ScheduleEvent(ScheduledEvent event);
  absl::StatusOr<CancelOutcome> CancelScheduledEvent(std::string_view id, const CancelCheck& check);
  absl::StatusOr<std::vector<DueEvent>> TakeDueEvents(int64_t now_ms, size_t limit);
  void DeliverDueEvent(DueEvent event, std::optional<BatchFields> fields, DeliveryCallback done);
  void ReleaseDueEvent(std::string_view id);
  absl::StatusOr<std::optional<int64_t>> NextDueTime() const;
  uint64_t PendingScheduledEvents() const;

 private:
  // Drops (in memory and on disk, between group commits) every partition state `drop` selects.
  absl::Status DropProducerStates(
      absl::FunctionRef<bool(int64_t producer_id, const ProducerPartitionState&)> drop);
  struct Trim;
  // Moves the log starts and writes them with the deletions; marks trims of deleted topics.
  absl::Status CommitTrims(std::vector<Trim>& trims);

  absl::StatusOr<std::shared_ptr<TopicState>> FindPartition(std::string_view name,
                                                            PartitionId partition) const;
  // What Append() checks of a batch before queueing it: record count and size (kInvalidBatch).
  static absl::Status CheckBatch(std::string_view name, PartitionId partition,
                                 const std::string& batch, const BatchFields& fields);
  // Validates a step and resolves its topics (log_store_step.cc).
  absl::StatusOr<PendingStep> PrepareStep(StepAppends step) const;
  static VisibleRange Visible(const TopicState& topic, PartitionId partition);

  const StoreOptions options_;
  Mutex retention_mu_ CHOREO_ACQUIRED_BEFORE(topic_change_mu_);
  mutable SharedMutex topic_change_mu_ CHOREO_ACQUIRED_BEFORE(db_mu_);
  // Set when Close() begins; cancels a running retention pass (and its CompactRange).
  std::atomic<bool> closing_{false};
  mutable SharedMutex db_mu_;
  bool closed_ CHOREO_GUARDED_BY(db_mu_) = false;
  absl::Status close_status_ CHOREO_GUARDED_BY(db_mu_);
  std::unique_ptr<StoreDb> db_;
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<ProducerRegistry> producers_;
  std::unique_ptr<GroupOffsetStore> group_offsets_;
  std::unique_ptr<EventIndex> index_;
  std::shared_ptr<EventIndexTrimFilterFactory> index_filter_;
  std::unique_ptr<Committer> committer_;
  // Stopped before the committer (Close()).
  std::unique_ptr<WriteRecovery> recovery_;
  std::unique_ptr<ScheduledEvents> scheduled_;
};

}  // namespace choreo::storage
