// Admin: topic management and partition offsets.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/group.h"
#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

struct TopicSettings {
  uint32_t partitions = 1;
  int64_t retention_ms = 0;        // 0: broker default; -1: forever
  int64_t retention_bytes = 0;     // per partition; 0: broker default; -1: unlimited
  uint64_t max_message_bytes = 0;  // 0: broker default
};

// A change to a topic's settings (Admin::AlterTopic): fields left empty keep their value.
struct TopicChanges {
  std::optional<uint32_t> partitions;         // may only grow
  std::optional<int64_t> retention_ms;        // > 0, or -1: forever
  std::optional<int64_t> retention_bytes;     // per partition; > 0, or -1: unlimited
  std::optional<uint64_t> max_message_bytes;  // > 0 (at most the broker's limit applies)
};

struct PartitionDescription {
  uint32_t partition = 0;
  int64_t log_start_offset = 0;  // the first offset still stored
  int64_t high_watermark = 0;  // the offset the next record will get; readers see offsets below it
};

struct TopicDescription {
  std::string name;
  uint32_t topic_id = 0;
  TopicSettings settings;
  std::vector<PartitionDescription> partitions;
};

enum class OffsetSpec { kEarliest, kLatest, kTimestamp };

// Thread-safe; blocking calls, each bounded by ClientOptions::request_timeout (kTimeout).
// Besides the errors listed per call, any call may fail with kConnectionFailed (the connection is
// lost; create a new Admin) or kTimeout.
class Admin {
 public:
  // Connects and handshakes. Errors: kInvalidArgument (bad broker address), kConnectionFailed,
  // kTimeout, kUnsupportedVersion.
  static Result<std::unique_ptr<Admin>> Connect(const ClientOptions& options);
  // Closes the connection.
  ~Admin();

  // Errors: kTopicAlreadyExists, kInvalidTopic (bad name or settings).
  Status CreateTopic(std::string_view name, const TopicSettings& settings);
  // Deletes the topic and its records. Errors: kUnknownTopic.
  Status DeleteTopic(std::string_view name);
  // Every topic, with its partitions' log start offsets and high watermarks.
  Result<std::vector<TopicDescription>> ListTopics();
  // Errors: kUnknownTopic.
  Result<TopicDescription> DescribeTopic(std::string_view name);
  // Changes a topic's settings, durably, and returns the topic as it is afterwards. New
  // partitions start empty; keys hash over the new partition count from then on. Errors:
  // kUnknownTopic; kInvalidTopic (fewer partitions than now, or a value the broker rejects);
  // kInvalidArgument (no change, or a 0 value: the protocol uses 0 for "unchanged").
  Result<TopicDescription> AlterTopic(std::string_view name, const TopicChanges& changes);
  // The offset for `spec` (timestamp_ms only for kTimestamp); -1 if no record is that recent.
  // kEarliest is the log start offset, kLatest the high watermark (the next offset to be written).
  // Errors: kUnknownTopic, kInvalidPartition.
  Result<int64_t> ListOffset(const TopicPartition& tp, OffsetSpec spec, int64_t timestamp_ms = 0);

  // ---- Consumer groups (see consumer.h and group.h) ---------------------------------------

  // Every group that has members or committed offsets, sorted by id.
  Result<std::vector<GroupListing>> ListGroups();
  // The group's state, members with their assignments and, per partition (committed or
  // assigned), the committed offset, the log end offset and the lag. Errors: kUnknownGroup (no
  // members and no committed offsets), kInvalidRequest (bad group id).
  Result<GroupDescription> DescribeGroup(std::string_view group_id);
  // Sets the group's committed offsets in `topic` (every partition, or only `partition`) as
  // `spec` says, and returns them. Allowed only while the group has no members (stop its
  // consumers first): kGroupNotEmpty otherwise. Errors: kUnknownTopic, kInvalidPartition.
  Result<std::map<TopicPartition, int64_t>> ResetGroupOffsets(std::string_view group_id,
                                                              std::string_view topic,
                                                              std::optional<uint32_t> partition,
                                                              const OffsetResetSpec& spec);
  // Forgets the group's committed offsets. Errors: kGroupNotEmpty (it has members),
  // kUnknownGroup.
  Status DeleteGroup(std::string_view group_id);

  class Impl;

 private:
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo
