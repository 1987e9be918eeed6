// Idempotent-producer sequence state of one (producer, partition) and the rule that decides what
// happens to a batch carrying a producer id, epoch and base sequence.
//
// Sequences count records: a batch of n records with base sequence s holds s..s+n-1, and the next
// batch of that producer in that partition must start at s+n. They are non-negative int32 and
// wrap as Kafka's do (after INT32_MAX comes 0, choreo/common/sequence.h), so a producer never
// runs out of them and a batch may straddle the wrap.
//
// The state keeps the last kProducerWindowSize batches appended (base sequence, record count,
// base offset) so that a retry of any of them is answered with its original offsets instead of
// being appended twice. Pure functions and a plain struct: the committer owns the instances (see
// PartitionState::producers) and serializes all access.
#pragma once

#include <cstdint>
#include <vector>

#include "choreo/storage/log_store.h"

namespace choreo::storage {

// How many recent batches per (producer, partition) are remembered for duplicate detection.
inline constexpr size_t kProducerWindowSize = 5;
// A batch may hold at most this many records: with more, its sequences would cover more than half
// the sequence space and a retry could not be told from a new batch across the wrap.
inline constexpr uint32_t kMaxSequencesPerBatch = uint32_t{1} << 30;

struct SequenceWindowEntry {
  int32_t base_sequence = 0;
  uint32_t record_count = 0;
  Offset base_offset = 0;

  friend bool operator==(const SequenceWindowEntry&, const SequenceWindowEntry&) = default;
};

struct ProducerPartitionState {
  // The epoch of the batches in `window`.
  int32_t epoch = 0;
  // The sequence of the last record appended; the next batch must start at the sequence after it
  // (last_sequence + 1, or 0 after INT32_MAX).
  int32_t last_sequence = -1;
  // The most recent appended batches, oldest first, at most kProducerWindowSize.
  std::vector<SequenceWindowEntry> window;
  // When the last batch was appended (the store's clock, ms since the Unix epoch); -1 if unknown
  // (state written before the field existed). Producer-id expiry counts idle time from it.
  int64_t last_append_ms = -1;

  friend bool operator==(const ProducerPartitionState&, const ProducerPartitionState&) = default;
};

enum class SequenceVerdict {
  kAppend,         // in order: append it
  kDuplicate,      // a retry of a batch in the window: answer with its offsets, append nothing
  kOutOfOrder,     // a gap (ahead of the next sequence, modulo the wrap), or a new epoch /
                   // partition that does not start at 0
  kStaleSequence,  // behind the next sequence (modulo the wrap) but not in the window
  kInvalid,        // negative base sequence, or 0 or more than kMaxSequencesPerBatch records
};

struct SequenceCheck {
  SequenceVerdict verdict = SequenceVerdict::kAppend;
  // For kDuplicate: the original base offset.
  Offset duplicate_base_offset = -1;
};

// Decides what to do with a batch of `record_count` records at `base_sequence` from a producer
// whose epoch the caller already validated (it is the producer's current epoch). `state` is the
// (producer, partition) state or nullptr if this producer never appended to this partition. A
// state from an older epoch counts as none: the new epoch must start at sequence 0.
SequenceCheck CheckSequence(const ProducerPartitionState* state, int32_t epoch,
                            int32_t base_sequence, uint32_t record_count);

// Records an appended batch (after CheckSequence said kAppend): moves to `epoch` (dropping the
// window of an older one), sets the last sequence and pushes the batch into the window.
void RecordAppend(ProducerPartitionState& state, int32_t epoch, int32_t base_sequence,
                  uint32_t record_count, Offset base_offset);

}  // namespace choreo::storage
