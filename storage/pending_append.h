// What waits in the committer's queue: single appends (LogStore::Append) and exactly-once steps
// (LogStore::AppendStep), validated and with their topics resolved, so the committer only
// assigns offsets, checks producer sequences and stages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/group_offsets.h"
#include "storage/topic_state.h"

namespace choreo::storage {

struct PendingAppend {
  std::shared_ptr<TopicState> topic;
  PartitionId partition = 0;
  std::string batch;
  BatchFields fields;
  AppendCallback done = nullptr;  // empty for the batches of a PendingStep
};

// A step's batches and group offsets, staged all or nothing (GroupBuilder::AddStep).
struct PendingStep {
  std::vector<PendingAppend> batches;
  std::string group;
  std::vector<ResolvedGroupOffset> offsets;
  StepCallback done;
};

using QueuedWrite = std::variant<PendingAppend, PendingStep>;

// The batch bytes a queued write carries (what bounds a group commit).
inline uint64_t BatchBytes(const QueuedWrite& write) {
  if (const auto* append = std::get_if<PendingAppend>(&write)) return append->batch.size();
  uint64_t bytes = 0;
  for (const PendingAppend& batch : std::get<PendingStep>(write).batches)
    bytes += batch.batch.size();
  return bytes;
}

}  // namespace choreo::storage
