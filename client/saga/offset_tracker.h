// PartitionProgress: which offsets of one input partition are finished, and the commit that
// describes them.
//
// Different sagas of one partition finish out of order, so a plain committed offset cannot say
// "11 is done but 10 is not". The commit therefore carries the lowest unfinished offset (Kafka's
// meaning of a committed offset: where a new owner starts) and, in its metadata, a bitmap of the
// finished offsets above it, which the new owner skips:
//   metadata = "choreo-saga/1 " + base64(bitmap), bit i (LSB first in each byte) = offset + 1 + i
// The bitmap is bounded by ServiceOptions::max_pending_per_partition (<= 8192 bits, 1366 base64
// characters, within the broker's 4096-byte metadata limit).
//
// An offset moves: polled (Track) -> finished in a step being built (Finish) -> committed. Only
// the step sender calls Finish(), and every offset it finishes goes into the request it is
// building, so the commit computed afterwards never claims an offset whose outputs are not in that
// request or an earlier acknowledged one.
//
// Not thread-safe: the service guards it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace choreo::saga::internal {

inline constexpr uint32_t kMaxPendingPerPartition = 8192;

struct CommitPoint {
  int64_t offset = 0;  // the lowest unfinished offset
  std::set<int64_t> finished_above = {};
};

// Encodes/decodes the commit metadata. Decode returns an empty set for metadata that is not ours
// (a commit made by `choreo group reset` or a plain consumer): then only the offset counts.
std::string EncodeCommitMetadata(const CommitPoint& point);
std::set<int64_t> DecodeCommitMetadata(int64_t offset, std::string_view metadata);

class PartitionProgress {
 public:
  // Starts from a committed point (offset and the finished offsets above it).
  explicit PartitionProgress(CommitPoint committed);

  // True if `offset` is already finished (skip it) or below the committed offset.
  bool IsFinished(int64_t offset) const;
  // A polled offset that will be handled.
  void Track(int64_t offset);
  // A polled offset whose step is in the request being built.
  void Finish(int64_t offset);
  // The commit describing everything finished so far.
  CommitPoint Commit() const;

  // Offsets tracked and not finished.
  size_t outstanding() const { return outstanding_.size(); }
  // How far polling may run ahead of the commit: polled end - lowest unfinished.
  int64_t window() const;
  // Steps finished but not yet acknowledged by the broker (the sender counts them down).
  int unacknowledged = 0;

 private:
  int64_t low_;         // every offset below is finished
  int64_t polled_end_;  // one past the highest offset seen
  std::set<int64_t> outstanding_;
  std::set<int64_t> finished_;  // finished offsets >= low_ (not contiguous with it)
};

}  // namespace choreo::saga::internal
