// The in-memory state of topics and partitions, shared by the registry, the committer, readers
// and retention. Every field says who writes it and how others may read it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/producer_state.h"

namespace choreo::storage {

struct PartitionState {
  // The offset the next visible record gets; readers never see data at or above it. Written by
  // the committer (under size_mu, see below) after each group commit.
  std::atomic<Offset> high_watermark{0};
  // Only grows. Written at load and by retention, which moves it before deleting anything below.
  std::atomic<Offset> log_start{0};
  // The offset the next appended record gets. Written at Load() and then only by the committer
  // thread (which runs after Load(), so no lock is needed).
  Offset next_offset = 0;
  // The byte position of next_offset: batch bytes appended since the partition's creation (see
  // meta_format.h), including those staged in the group being built. Like next_offset: written at
  // Load() and then only by the committer, which writes it to `meta` ('B') with every group that
  // appends to the partition when end_bytes_durable.
  int64_t next_end_bytes = 0;
  // False only for a partition loaded with data but no 'B' key (written before byte positions
  // were stored): its positions count from Open instead of from creation, so they are never
  // persisted. Written at Load() only.
  bool end_bytes_durable = true;
  // Idempotent-producer sequence state by producer id. Like next_offset: loaded at Load(), then
  // read and written only by the committer while it holds its commit mutex.
  absl::flat_hash_map<int64_t, ProducerPartitionState> producers;

  // Size accounting, for size-based retention and the partition's size metric. The committer
  // moves the byte position of the high watermark (appended_bytes) under size_mu together with
  // the high watermark, so that retention and GetOffsets() read a matching pair without stopping
  // appends.
  Mutex size_mu;
  // next_end_bytes as of the high watermark (what is visible); same origin.
  int64_t appended_bytes CHOREO_GUARDED_BY(size_mu) = 0;
  // Once size_known, the batch bytes in [log_start, high_watermark) are size_base +
  // appended_bytes, i.e. -size_base is the byte position of the log start. A new partition is
  // empty, so known; Load() knows it for an empty partition and for one with both positions
  // stored ('B', and the log start's in 'L'), and otherwise leaves it to the first retention pass
  // that needs the size, which measures it. Written at Load() and then only by retention passes
  // (serialized by LogStore's retention mutex), under size_mu; retention moves log_start under
  // size_mu too.
  bool size_known CHOREO_GUARDED_BY(size_mu) = true;
  int64_t size_base CHOREO_GUARDED_BY(size_mu) = 0;
};

// A topic's partitions. Shared between the versions of a topic's state (AlterTopic makes a new
// TopicState with more partitions but the same PartitionState objects), so an append holding an
// older TopicState still updates the one true partition. Elements are never moved or removed.
class PartitionStates {
 public:
  explicit PartitionStates(size_t count) { Grow(count); }
  // The same partitions as `existing`, plus new ones up to `count` (>= existing.size()).
  PartitionStates(const PartitionStates& existing, size_t count) : states_(existing.states_) {
    Grow(count);
  }

  PartitionState& operator[](size_t i) const { return *states_[i]; }
  size_t size() const { return states_.size(); }

 private:
  void Grow(size_t count) {
    while (states_.size() < count)
      states_.push_back(std::make_shared<PartitionState>());
  }
  std::vector<std::shared_ptr<PartitionState>> states_;
};

// A flag shared by every version of one topic's state.
class SharedFlag {
 public:
  SharedFlag() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  bool load() const { return flag_->load(); }
  void store(bool value) const { flag_->store(value); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// One version of a topic: immutable apart from its partitions' state. Replaced as a whole (under
// the registry's lock) when the topic's configuration changes.
struct TopicState {
  explicit TopicState(TopicInfo topic_info)
      : info(std::move(topic_info)), partitions(info.config.partitions) {}
  // The next version of `previous`, with a new configuration (partitions may only grow).
  TopicState(TopicInfo topic_info, const TopicState& previous)
      : info(std::move(topic_info)),
        partitions(previous.partitions, info.config.partitions),
        deleted(previous.deleted) {}

  const TopicInfo info;
  const PartitionStates partitions;
  // Set once the topic's deletion is durable; queued appends to it then fail with kUnknownTopic.
  const SharedFlag deleted;
};

}  // namespace choreo::storage
