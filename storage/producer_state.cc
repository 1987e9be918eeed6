#include "storage/producer_state.h"

#include "choreo/common/sequence.h"

namespace choreo::storage {

SequenceCheck CheckSequence(const ProducerPartitionState* state, int32_t epoch,
                            int32_t base_sequence, uint32_t record_count) {
  if (base_sequence < 0 || record_count == 0 || record_count > kMaxSequencesPerBatch) {
    return {.verdict = SequenceVerdict::kInvalid};
  }
  // No state in this epoch: first batch of the producer here, or the first after an epoch bump.
  if (state == nullptr || state->epoch != epoch) {
    return {.verdict =
                base_sequence == 0 ? SequenceVerdict::kAppend : SequenceVerdict::kOutOfOrder};
  }
  const int32_t expected = AddSequence(state->last_sequence, 1);
  if (base_sequence == expected) return {.verdict = SequenceVerdict::kAppend};
  for (const SequenceWindowEntry& entry : state->window) {
    if (entry.base_sequence == base_sequence && entry.record_count == record_count) {
      return {.verdict = SequenceVerdict::kDuplicate, .duplicate_base_offset = entry.base_offset};
    }
  }
  // Sequences wrap, so "ahead" and "behind" are told apart modulo 2^31: up to half the space
  // ahead of the expected sequence is a gap, the rest is behind it (already appended).
  if (SequenceDistance(expected, base_sequence) < kSequenceSpace / 2) {
    return {.verdict = SequenceVerdict::kOutOfOrder};
  }
  return {.verdict = SequenceVerdict::kStaleSequence};
}

void RecordAppend(ProducerPartitionState& state, int32_t epoch, int32_t base_sequence,
                  uint32_t record_count, Offset base_offset) {
  if (state.epoch != epoch) {
    state.epoch = epoch;
    state.window.clear();
  }
  state.last_sequence = LastSequence(base_sequence, record_count);
  if (state.window.size() == kProducerWindowSize) state.window.erase(state.window.begin());
  state.window.push_back(
      {.base_sequence = base_sequence, .record_count = record_count, .base_offset = base_offset});
}

}  // namespace choreo::storage
