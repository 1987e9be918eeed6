#include "storage/producer_state.h"

#include <limits>

namespace choreo::storage {

SequenceCheck CheckSequence(const ProducerPartitionState* state, int32_t epoch,
                            int32_t base_sequence, uint32_t record_count) {
  const int64_t last = static_cast<int64_t>(base_sequence) + record_count - 1;
  if (base_sequence < 0 || last > std::numeric_limits<int32_t>::max()) {
    return {.verdict = SequenceVerdict::kInvalid};
  }
  // No state in this epoch: first batch of the producer here, or the first after an epoch bump.
  if (state == nullptr || state->epoch != epoch) {
    return {.verdict =
                base_sequence == 0 ? SequenceVerdict::kAppend : SequenceVerdict::kOutOfOrder};
  }
  const int64_t expected = static_cast<int64_t>(state->last_sequence) + 1;
  if (base_sequence == expected) return {.verdict = SequenceVerdict::kAppend};
  for (const SequenceWindowEntry& entry : state->window) {
    if (entry.base_sequence == base_sequence && entry.record_count == record_count) {
      return {.verdict = SequenceVerdict::kDuplicate, .duplicate_base_offset = entry.base_offset};
    }
  }
  if (base_sequence > expected) return {.verdict = SequenceVerdict::kOutOfOrder};
  return {.verdict = SequenceVerdict::kStaleSequence};
}

void RecordAppend(ProducerPartitionState& state, int32_t epoch, int32_t base_sequence,
                  uint32_t record_count, Offset base_offset) {
  if (state.epoch != epoch) {
    state.epoch = epoch;
    state.window.clear();
  }
  state.last_sequence =
      static_cast<int32_t>(base_sequence + static_cast<int64_t>(record_count) - 1);
  if (state.window.size() == kProducerWindowSize) state.window.erase(state.window.begin());
  state.window.push_back(
      {.base_sequence = base_sequence, .record_count = record_count, .base_offset = base_offset});
}

}  // namespace choreo::storage
