// Retention: drops whole batches from the head of partitions whose topic limits age
// (retention_ms) or size (retention_bytes).
//
// A pass, per partition of a topic with a limit:
//  1. Plan (PlanRetention): scan the batch headers from the log start, dropping the oldest batches
//     while their max timestamp is older than now - retention_ms (a prefix: it stops at the first
//     newer batch), or while the partition holds more than retention_bytes of batch data, never
//     dropping the newest batch for size. The new log start is the base of the first batch kept
//     (or the high watermark if time expired everything), so it is always a batch boundary.
//  2. Skip small steps: many small range tombstones slow reads down, so a partition is trimmed
//     only when the step drops at least StoreOptions::retention_min_trim_bytes, or at least 10% of
//     its size (when known), or everything (all expired by time).
//  3. Move the log start in memory (new reads below it get OutOfRange), then write, in one
//     WriteBatch for the whole pass, each partition's new log start to `meta` and one DeleteRange
//     of its records below it (from offset 0, so leftovers of an interrupted pass go too).
//  4. CompactRange over each deleted range, so the disk space is really reclaimed (and the
//     tombstones dropped) now rather than whenever compaction gets there.
// A Read that began before the trim keeps its iterator's snapshot and returns whole batches; one
// that starts after sees the new log start or finds its batch gone and returns OutOfRange.
//
// Size accounting (PartitionState): Open() knows a partition's batch bytes from the stored byte
// positions (the end's in 'B', the log start's in 'L', which step 3 writes when the size is
// known); the committer adds and retention subtracts. Only for data written before those were
// stored does the first pass that needs the size sum [log_start, high watermark) once (reading
// headers only, but RocksDB reads whole blocks, so this is I/O over the partition); a partition
// of a size-limited topic holds about retention_bytes, which bounds that scan.
#pragma once

#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "choreo/storage/log_store.h"
#include "storage/store_db.h"
#include "storage/topic_state.h"

namespace choreo::storage {

struct RetentionPlan {
  Offset new_log_start = 0;
  int64_t dropped_bytes = 0;  // batch bytes below new_log_start and at or above the old start
  bool trim = false;          // false: nothing to drop, or a step too small to be worth it
};

// Steps 1 and 2 for one partition. Must run on one thread at a time (it owns the partition's
// size_known/size_base); the StoreDb must stay open. Stops early with Cancelled if `canceled`.
absl::StatusOr<RetentionPlan> PlanRetention(const StoreDb& db, const TopicInfo& topic,
                                            PartitionId partition, PartitionState& state,
                                            int64_t now_ms, uint64_t min_trim_bytes,
                                            const std::atomic<bool>& canceled);

// Step 4 for one partition: compacts its records below `new_log_start`.
absl::Status CompactTrimmedRange(const StoreDb& db, TopicId topic_id, PartitionId partition,
                                 Offset new_log_start, std::atomic<bool>* canceled);

}  // namespace choreo::storage
