// Consumer-group types shared by Consumer (consumer.h) and Admin (admin.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "choreo/client/record.h"

namespace choreo {

// A committed position: the next offset the group will consume in a partition, with an optional
// application string stored alongside (at most 4096 bytes).
struct OffsetAndMetadata {
  int64_t offset = 0;
  std::string metadata = {};
};

// One group in Admin::ListGroups().
struct GroupListing {
  std::string group_id = {};
  // "empty" (no members; it has committed offsets), "stable" (every member consumes exactly its
  // target), "reconciling" (partitions are moving).
  std::string state = {};
  uint32_t members = 0;
};

struct GroupMemberDescription {
  std::string member_id = {};
  std::string instance_id = {};  // empty for a dynamic member
  std::string client_id = {};
  int32_t member_epoch = 0;
  std::vector<TopicPartition> assignment = {};  // what the member may consume now
};

// A partition of a group: its committed offset, the log end offset (high watermark) and the lag
// between them.
struct GroupPartitionOffset {
  TopicPartition partition = {};
  int64_t committed_offset = -1;  // -1: nothing committed
  int64_t log_end_offset = 0;
  int64_t lag = -1;  // log_end_offset - committed_offset; -1 when nothing is committed
  std::string metadata = {};
};

struct GroupDescription {
  std::string group_id = {};
  std::string state = {};  // as in GroupListing
  int32_t group_epoch = 0;
  std::vector<GroupMemberDescription> members = {};  // sorted by member id
  // Partitions with a committed offset or assigned to a member, sorted.
  std::vector<GroupPartitionOffset> offsets = {};
};

// Where Admin::ResetGroupOffsets() moves a group's committed offsets.
struct OffsetResetSpec {
  enum class Kind {
    kEarliest,   // the log start offset
    kLatest,     // the high watermark (skip everything present)
    kTimestamp,  // the first offset whose record timestamp is >= `value` (ms); latest if none
    kOffset,     // exactly `value` (clamped to [log start, high watermark])
  };
  Kind kind = Kind::kEarliest;
  int64_t value = 0;
};

}  // namespace choreo
