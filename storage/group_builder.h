// GroupBuilder: turns one group commit's appends into one rocksdb::WriteBatch, and knows how to
// publish or undo what it decided.
//
// For each append, in queue order, Add() checks the idempotent-producer rules (producer_state.h)
// and either assigns the next offsets of the partition and stages the record, or finds the batch
// is a retry of a recent one (answered with its original offsets, nothing staged), or rejects it.
// Offsets and producer state are updated in memory as it goes, so later appends of the same group
// see earlier ones (several batches of one producer may be in flight per partition). Seal() then
// stages the final producer state of every (producer, partition) touched and the end byte
// position ('B') of every partition appended to, in the same WriteBatch as the records. After the
// write, Publish() makes the data visible; if it failed, Rollback() restores next offsets, end
// byte positions and producer state exactly as they were before the group.
//
// AddStep() stages an exactly-once step (several batches and a group's offsets) the same way,
// but all or nothing within the group: a step that fails is undone to a save point while the
// appends around it stay staged.
//
// An append's event index entries (BatchFields::events), when its topic has the index on, are
// collected with its record and added to the WriteBatch sorted, by Seal() (EventIndex::Apply).
//
// Threading: used by the committer thread only, while it holds the commit mutex (which is what
// guards PartitionState::next_offset, ::next_end_bytes and ::producers). One builder per group.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/statusor.h>
#include <rocksdb/write_batch.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/event_index.h"
#include "storage/pending_append.h"
#include "storage/producer_registry.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"

namespace choreo::storage {

struct AdvancedPartition {
  TopicId topic_id{};
  PartitionId partition = 0;
  Offset high_watermark = 0;
};

class GroupBuilder {
 public:
  // All must outlive the builder; `index` may be null (nothing is indexed). `now_ms` (wall
  // clock) stamps the producers that append as active.
  GroupBuilder(const StoreDb& db, ProducerRegistry& producers, const EventIndex* index,
               int64_t now_ms)
      : db_(db), producers_(producers), index_(index), now_ms_(now_ms) {}
  GroupBuilder(const GroupBuilder&) = delete;
  GroupBuilder& operator=(const GroupBuilder&) = delete;

  // Stages one append. Returns what to report once the write succeeded (base offset, or the
  // original one with duplicate = true; log_start_offset is left for the caller), or this
  // append's own error (sequence or epoch violations, a deleted topic).
  absl::StatusOr<AppendResult> Add(const PendingAppend& append);
  // Stages a step all or nothing (group_builder_step.cc): its batches as Add() does, then its
  // group offsets. If a batch fails, or the step mixes duplicates with new batches (kInvalidStep),
  // or a topic of its offsets was deleted, everything the step staged is undone (WriteBatch save
  // point plus the in-memory offsets, byte positions and producer state) and the error returned;
  // earlier and later appends of the group are unaffected. A step of nothing but duplicates
  // stages nothing and returns the original offsets with duplicate = true.
  absl::StatusOr<StepResult> AddStep(const PendingStep& step);
  // Stages a change to the scheduled events (PendingSchedule): the delivery's append as Add()
  // does, then the entries' puts and deletes, which are staged even when the append is refused
  // (a delivery to a deleted topic drops the event). Returns the append's outcome (a default
  // AppendResult when there is no delivery).
  absl::StatusOr<AppendResult> AddSchedule(const PendingSchedule& schedule);
  // Stages the producer state changed by the group and the partitions' end byte positions. Call
  // once, after the last Add().
  absl::Status Seal();

  rocksdb::WriteBatch& batch() { return batch_; }
  // The record batches staged so far (not duplicates or rejected appends).
  struct Staged {
    uint64_t batches = 0;
    uint64_t records = 0;
    uint64_t bytes = 0;
  };
  const Staged& staged() const { return staged_; }
  // True when no append was staged (only errors and duplicates): nothing needs writing.
  bool NothingStaged() const { return batch_.Count() == 0; }

  // After a successful write: advances the high watermarks and the partitions' byte counts.
  // Returns the partitions advanced.
  std::vector<AdvancedPartition> Publish();
  // After a failed write: gives the offsets and byte positions back and restores the producer
  // state.
  void Rollback();

 private:
  struct Touched {
    TopicId topic_id{};
    PartitionId partition = 0;
    Offset next_offset_before = 0;
    int64_t next_end_bytes_before = 0;
  };
  struct ProducerUndo {
    TopicId topic_id{};
    PartitionId partition = 0;
    // The state before the group; nullopt if the producer had none in this partition.
    std::optional<ProducerPartitionState> before;
  };
  using ProducerKey = std::pair<PartitionState*, int64_t>;
  // What a step may change, as it was before the step (AddStep).
  struct StepSavepoint {
    struct PartitionBefore {
      PartitionState* partition = nullptr;
      Offset next_offset = 0;
      int64_t next_end_bytes = 0;
      bool touched = false;  // already in touched_ before the step
    };
    struct ProducerBefore {
      ProducerKey key;
      std::optional<ProducerPartitionState> state = std::nullopt;
      bool recorded = false;  // already in producer_undo_ before the step
    };
    Staged staged;
    size_t index_writes = 0;
    std::vector<PartitionBefore> partitions;
    std::vector<ProducerBefore> producers;
  };

  // Applies the producer rules; on kAppend returns nullopt and the caller appends.
  std::optional<absl::StatusOr<AppendResult>> CheckProducer(const PendingAppend& append,
                                                            PartitionState& partition);
  void RecordProducer(const PendingAppend& append, PartitionState& partition, Offset base);
  // Sets a WriteBatch save point and records the in-memory state the step may change.
  StepSavepoint SaveStep(const PendingStep& step);
  absl::StatusOr<StepResult> StageStep(const PendingStep& step);
  void RollbackStep(const StepSavepoint& savepoint);

  const StoreDb& db_;
  ProducerRegistry& producers_;
  const EventIndex* index_;
  const int64_t now_ms_;
  rocksdb::WriteBatch batch_;
  // The group's index writes, added to batch_ sorted by Seal() (EventIndex::Apply).
  std::vector<EventIndex::Write> index_writes_;
  Staged staged_;
  absl::flat_hash_map<PartitionState*, Touched> touched_;
  absl::flat_hash_map<ProducerKey, ProducerUndo> producer_undo_;
};

}  // namespace choreo::storage
