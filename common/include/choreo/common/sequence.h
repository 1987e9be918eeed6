// Idempotent-producer sequence arithmetic, shared by the client (which assigns sequences) and the
// storage (which checks them), so that both sides wrap at the same point.
//
// Sequences are non-negative int32 and wrap as Kafka's do: after INT32_MAX (2^31-1) comes 0. A
// long-running producer therefore never runs out of sequences, and a batch may straddle the wrap
// (base INT32_MAX-1 with 4 records holds INT32_MAX-1, INT32_MAX, 0, 1). All arithmetic is done in
// int64 and reduced modulo 2^31, so no signed overflow can occur for any int32 input.
#pragma once

#include <cstdint>

namespace choreo {

// 2^31: the number of distinct sequences.
inline constexpr int64_t kSequenceSpace = int64_t{1} << 31;

// The sequence `delta` (may be negative) after `sequence` (in [0, 2^31)), wrapped into [0, 2^31).
constexpr int32_t AddSequence(int32_t sequence, int64_t delta) {
  int64_t r = (static_cast<int64_t>(sequence) + delta % kSequenceSpace) % kSequenceSpace;
  if (r < 0) r += kSequenceSpace;
  return static_cast<int32_t>(r);
}

// The sequence of the last record of a batch of `record_count` (>= 1) records at `base_sequence`.
constexpr int32_t LastSequence(int32_t base_sequence, uint32_t record_count) {
  return AddSequence(base_sequence, static_cast<int64_t>(record_count) - 1);
}

// How far `to` is ahead of `from` going forward around the wrap, in [0, 2^31).
constexpr int64_t SequenceDistance(int32_t from, int32_t to) {
  int64_t d = (static_cast<int64_t>(to) - from) % kSequenceSpace;
  return d < 0 ? d + kSequenceSpace : d;
}

}  // namespace choreo
