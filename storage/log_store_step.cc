// LogStore::Impl, exactly-once steps: validate on the caller's thread (topics, partitions,
// batches, offsets), then queue the step for the committer, which stages it all or nothing in a
// group commit (GroupBuilder::AddStep).
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"

namespace choreo::storage {

void LogStore::Impl::AppendStep(StepAppends step, StepCallback done) {
  absl::StatusOr<PendingStep> pending = PrepareStep(std::move(step));
  if (!pending.ok()) return done(pending.status());
  pending->done = std::move(done);
  committer_->Enqueue(*std::move(pending));
}

absl::StatusOr<PendingStep> LogStore::Impl::PrepareStep(StepAppends step) const {
  if (step.batches.empty() && step.offsets.empty()) {
    return MakeStoreError(StoreErrorKind::kInvalidStep, "a step needs batches or offsets");
  }
  PendingStep pending;
  pending.batches.reserve(step.batches.size());
  for (StepBatch& batch : step.batches) {
    absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(batch.topic, batch.partition);
    if (!topic.ok()) return topic.status();
    if (absl::Status s = CheckBatch(batch.topic, batch.partition, batch.batch, batch.fields);
        !s.ok()) {
      return s;
    }
    if (batch.fields.producer_id < 0) {
      return MakeStoreError(
          StoreErrorKind::kInvalidStep,
          absl::StrCat("step batch for topic '", batch.topic, "' partition ", batch.partition,
                       " has no producer id; a step's batches must be idempotent"));
    }
    pending.batches.push_back(PendingAppend{.topic = *std::move(topic),
                                            .partition = batch.partition,
                                            .batch = std::move(batch.batch),
                                            .fields = batch.fields});
  }
  if (!step.offsets.empty()) {
    absl::StatusOr<std::vector<ResolvedGroupOffset>> offsets =
        ResolveGroupOffsets(*registry_, step.group, step.offsets, absl::ToUnixMillis(absl::Now()));
    if (!offsets.ok()) return offsets.status();
    pending.offsets = *std::move(offsets);
  }
  pending.group = std::move(step.group);
  return pending;
}

}  // namespace choreo::storage
