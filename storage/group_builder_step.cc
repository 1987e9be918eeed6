// GroupBuilder::AddStep: an exactly-once step staged all or nothing inside a group commit.
//
// The step's batches go through Add() one by one, which moves the partitions' next offsets and
// byte positions and the producers' state in memory as it stages. So that a failing step leaves
// no trace, AddStep first sets a save point in the WriteBatch and records the in-memory state of
// every partition and (producer, partition) the step names; on failure it rolls the WriteBatch
// back to the save point and restores that state, including removing the step's entries from
// the group's undo records (touched_, producer_undo_), so that Seal(), Publish() and Rollback()
// see the group as if the step had never been added.
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/group_builder.h"

namespace choreo::storage {
namespace {

std::string Describe(const PendingStep& step) {
  return absl::StrCat("step of ", step.batches.size(), " batches and ", step.offsets.size(),
                      " offsets for group '", step.group, "'");
}

// `status` (a batch's error) with the step named, keeping its kind.
absl::Status StepError(const PendingStep& step, const absl::Status& status) {
  return MakeStoreError(StoreErrorKindOf(status),
                        absl::StrCat(Describe(step), ": ", status.message()));
}

}  // namespace

absl::StatusOr<StepResult> GroupBuilder::AddStep(const PendingStep& step) {
  const StepSavepoint savepoint = SaveStep(step);
  absl::StatusOr<StepResult> result = StageStep(step);
  if (result.ok()) {
    batch_.PopSavePoint().PermitUncheckedError();
    return result;
  }
  RollbackStep(savepoint);
  return result.status();
}

absl::StatusOr<StepResult> GroupBuilder::StageStep(const PendingStep& step) {
  // Deletion runs between groups (under the commit mutex), so a topic not deleted now stays until
  // this group is written, and its deletion then removes the offsets staged here.
  for (const ResolvedGroupOffset& entry : step.offsets) {
    if (entry.topic->deleted.load()) {
      return MakeStoreError(StoreErrorKind::kUnknownTopic,
                            absl::StrCat(Describe(step), ": topic '", entry.topic->info.name,
                                         "' of a committed offset was deleted"));
    }
  }
  StepResult result;
  result.batches.reserve(step.batches.size());
  size_t duplicates = 0;
  for (const PendingAppend& batch : step.batches) {
    absl::StatusOr<AppendResult> appended = Add(batch);
    if (!appended.ok()) return StepError(step, appended.status());
    if (appended->duplicate) ++duplicates;
    result.batches.push_back(*appended);
  }
  if (duplicates > 0 && duplicates < step.batches.size()) {
    return MakeStoreError(
        StoreErrorKind::kInvalidStep,
        absl::StrCat(Describe(step), ": ", duplicates, " batches were already appended and ",
                     step.batches.size() - duplicates,
                     " are new; a retry must repeat the step exactly"));
  }
  if (duplicates > 0) {
    // A retry of an applied step: its offsets were committed with the original.
    result.duplicate = true;
    return result;
  }
  if (absl::Status s = StageGroupOffsets(db_, step.group, step.offsets, batch_); !s.ok()) {
    return StepError(step, s);
  }
  return result;
}

GroupBuilder::StepSavepoint GroupBuilder::SaveStep(const PendingStep& step) {
  batch_.SetSavePoint();
  StepSavepoint savepoint;
  savepoint.staged = staged_;
  savepoint.index_writes = index_writes_.size();
  for (const PendingAppend& batch : step.batches) {
    PartitionState* partition = &batch.topic->partitions[batch.partition];
    const bool seen = std::any_of(savepoint.partitions.begin(), savepoint.partitions.end(),
                                  [&](const auto& p) { return p.partition == partition; });
    if (!seen) {
      savepoint.partitions.push_back({.partition = partition,
                                      .next_offset = partition->next_offset,
                                      .next_end_bytes = partition->next_end_bytes,
                                      .touched = touched_.contains(partition)});
    }
    if (batch.fields.producer_id < 0) continue;
    const ProducerKey key{partition, batch.fields.producer_id};
    if (std::any_of(savepoint.producers.begin(), savepoint.producers.end(),
                    [&](const auto& p) { return p.key == key; })) {
      continue;
    }
    StepSavepoint::ProducerBefore before{.key = key, .recorded = producer_undo_.contains(key)};
    auto it = partition->producers.find(batch.fields.producer_id);
    if (it != partition->producers.end()) before.state = it->second;
    savepoint.producers.push_back(std::move(before));
  }
  return savepoint;
}

void GroupBuilder::RollbackStep(const StepSavepoint& savepoint) {
  // Only fails without a save point, and SaveStep() set one.
  batch_.RollbackToSavePoint().PermitUncheckedError();
  index_writes_.resize(savepoint.index_writes);
  staged_ = savepoint.staged;
  for (const StepSavepoint::PartitionBefore& before : savepoint.partitions) {
    before.partition->next_offset = before.next_offset;
    before.partition->next_end_bytes = before.next_end_bytes;
    if (!before.touched) touched_.erase(before.partition);
  }
  for (const StepSavepoint::ProducerBefore& before : savepoint.producers) {
    const auto& [partition, producer_id] = before.key;
    if (before.state.has_value()) {
      partition->producers[producer_id] = *before.state;
    } else {
      partition->producers.erase(producer_id);
    }
    if (!before.recorded) producer_undo_.erase(before.key);
  }
}

}  // namespace choreo::storage
