// What waits in the committer's queue: single appends (LogStore::Append) and exactly-once steps
// (LogStore::AppendStep), validated and with their topics resolved, so the committer only
// assigns offsets, checks producer sequences and stages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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

// A change to the scheduled events (scheduled_events.h), written in a group commit like an append:
// arming an event (puts), cancelling one (deletes), or delivering one (its batch appended and its
// entries deleted in the same write). If the delivery's append is refused (its topic was deleted
// meanwhile), the entries are deleted all the same and `done` gets the refusal; only a failed
// write leaves the event pending.
struct PendingSchedule {
  std::optional<PendingAppend> delivery = std::nullopt;
  std::vector<std::pair<std::string, std::string>> puts = {};
  std::vector<std::string> deletes = {};
  // "schedule event 'id'" etc., for error messages.
  std::string what = {};
  DeliveryCallback done = nullptr;
};

using QueuedWrite = std::variant<PendingAppend, PendingStep, PendingSchedule>;

// The batch bytes a queued write carries (what bounds a group commit).
inline uint64_t BatchBytes(const QueuedWrite& write) {
  if (const auto* append = std::get_if<PendingAppend>(&write)) return append->batch.size();
  if (const auto* schedule = std::get_if<PendingSchedule>(&write)) {
    uint64_t bytes = schedule->delivery ? schedule->delivery->batch.size() : 0;
    for (const auto& [key, value] : schedule->puts)
      bytes += key.size() + value.size();
    return bytes;
  }
  uint64_t bytes = 0;
  for (const PendingAppend& batch : std::get<PendingStep>(write).batches)
    bytes += batch.batch.size();
  return bytes;
}

}  // namespace choreo::storage
