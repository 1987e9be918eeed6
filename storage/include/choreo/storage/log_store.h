// LogStore: choreo's partitioned append log, persisted in one RocksDB instance per data directory.
//
// Layout (see storage/README.md): column family `records` holds one key per record batch,
//   key   = format version u8 (1) | topic_id u32 BE | partition u32 BE | base_offset u64 BE
//   value = StoredBatchHeader (fixed size, with a CRC32C over header and batch) | batch bytes
// so keys sort by (topic, partition, offset) and a read is one SeekForPrev plus a forward scan.
// Column family `meta` holds topic definitions, the topic-id counter and per-partition state.
//
// Batches are opaque to the store: the broker validates them and passes the few fields the store
// needs (BatchFields). Offsets are dense per partition and assigned in arrival order.
//
// Durability: appends are written by one committer thread in group commits (every append that
// arrives while a commit is being written goes into the next WriteBatch). Under
// FsyncPolicy::kAlways each group commit is fsynced before any of its appends is acknowledged;
// under kInterval the WAL is fsynced every `fsync_interval`; under kNever it is left to the OS.
// Readers never see a batch before its append has been acknowledged (the high watermark moves after
// the commit).
//
// Threading: every method is thread-safe. Append() never blocks on I/O: its callback runs later on
// the committer thread and must not block. Read(), CreateTopic() etc. do RocksDB I/O on the
// calling thread, so network threads should call them through a blocking-work pool.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace choreo::storage {

using Offset = int64_t;
using PartitionId = uint32_t;
using TopicId = uint32_t;

enum class FsyncPolicy { kAlways, kInterval, kNever };

// "always" | "interval" | "never".
absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(std::string_view name);
std::string_view FsyncPolicyName(FsyncPolicy policy);

struct StoreOptions {
  // Directory holding the RocksDB instance; created if missing. Default: "./data".
  std::string data_dir = "./data";
  // Default: kAlways (acknowledge only fsynced data).
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  // WAL fsync period under FsyncPolicy::kInterval. Default: 100 ms.
  absl::Duration fsync_interval = absl::Milliseconds(100);
  // Upper bound on the batch bytes in one group commit. Default: 16 MiB.
  uint64_t max_group_commit_bytes = 16ull << 20;
  // RocksDB memtable size for the records column family. Default: 64 MiB.
  uint64_t write_buffer_bytes = 64ull << 20;
  // RocksDB block cache shared by all column families. Default: 128 MiB.
  uint64_t block_cache_bytes = 128ull << 20;
  // The RocksDB environment, for tests that inject I/O failures. Ownership is NOT transferred; it
  // must outlive the store. Default: nullptr, meaning rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
};

// Per-topic configuration, stored with the topic.
struct TopicConfig {
  // Number of partitions, 1 .. kMaxPartitions.
  uint32_t partitions = 1;
  // Delete batches older than this; -1 keeps them forever.
  int64_t retention_ms = -1;
  // Keep at most this many bytes per partition; -1 is unlimited.
  int64_t retention_bytes = -1;
  // Largest batch accepted; 0 means the broker's default.
  uint64_t max_message_bytes = 0;
};

inline constexpr uint32_t kMaxPartitions = 10000;
inline constexpr size_t kMaxTopicNameLength = 249;

// OK if `name` can name a topic: 1 to kMaxTopicNameLength characters of [a-zA-Z0-9._-], and not
// "." or "..". Otherwise InvalidArgument (StoreErrorKind::kInvalidTopic). CreateTopic() checks it;
// it is exposed so the broker can reject a bad name before doing any work.
absl::Status ValidateTopicName(std::string_view name);

struct TopicInfo {
  TopicId id = 0;
  std::string name;
  TopicConfig config;
};

// The fields of a batch the store needs, extracted by the broker when it validated the batch.
struct BatchFields {
  uint32_t record_count = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = -1;  // -1: not an idempotent producer
  int32_t producer_epoch = 0;
  int32_t base_sequence = 0;
};

struct AppendResult {
  Offset base_offset = 0;
  Offset log_start_offset = 0;
  bool duplicate = false;  // the batch had already been appended; base_offset is the original
};

struct StoredBatch {
  Offset base_offset = 0;
  uint32_t record_count = 0;
  int64_t max_timestamp_ms = 0;
  std::string data;  // the batch bytes exactly as appended

  Offset next_offset() const { return base_offset + record_count; }
};

struct PartitionOffsets {
  Offset log_start_offset = 0;
  Offset high_watermark = 0;  // offset the next appended record will get, once visible
};

struct ReadResult {
  // Batches in offset order, starting with the one that contains the requested offset (so the
  // first may start below it). At least one batch is returned when any exists at or above the
  // offset, even if it is larger than max_bytes.
  std::vector<StoredBatch> batches;
  PartitionOffsets offsets;
};

using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;
// Runs on the committer thread after a group commit made data visible in a partition. Must not
// block (post the work elsewhere).
using CommitListener = std::function<void(TopicId, PartitionId, Offset high_watermark)>;

class LogStore {
 public:
  // Opens (creating if needed) the store in options.data_dir and recovers every partition's
  // offsets from its last key.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(const StoreOptions& options);

  // Finishes pending commits and closes RocksDB (same as Close()).
  ~LogStore();

  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Errors: InvalidArgument (bad name or config), AlreadyExists.
  absl::StatusOr<TopicInfo> CreateTopic(std::string_view name, const TopicConfig& config);
  // Removes the topic and all its data. Errors: NotFound.
  absl::Status DeleteTopic(std::string_view name);
  std::vector<TopicInfo> ListTopics() const;
  absl::StatusOr<TopicInfo> GetTopic(std::string_view name) const;

  // Appends one batch to a partition. `done` is called exactly once: with the batch's base offset
  // once it is durable under the fsync policy, or with an error (unknown topic, invalid partition,
  // storage failure, store closed). It may run on the caller's thread for immediate errors.
  void Append(std::string_view topic, PartitionId partition, std::string batch,
              const BatchFields& fields, AppendCallback done);
  // Blocking convenience wrapper around Append().
  absl::StatusOr<AppendResult> AppendAndWait(std::string_view topic, PartitionId partition,
                                             std::string batch, const BatchFields& fields);

  // Reads visible batches from `offset` up to about `max_bytes` of batch data. An offset equal to
  // the high watermark returns no batches; one below the log start or above the high watermark is
  // OutOfRange. A stored value that fails its checksum is DataLoss, never returned as data.
  absl::StatusOr<ReadResult> Read(std::string_view topic, PartitionId partition, Offset offset,
                                  uint64_t max_bytes) const;

  absl::StatusOr<PartitionOffsets> GetOffsets(std::string_view topic, PartitionId partition) const;

  // The first offset of the first batch whose max timestamp is >= timestamp_ms, or -1 if none.
  absl::StatusOr<Offset> OffsetForTimestamp(std::string_view topic, PartitionId partition,
                                            int64_t timestamp_ms) const;

  // Replaces the listener told about newly visible data. Set it before appending.
  void SetCommitListener(CommitListener listener);

  // Stops accepting appends (they fail with Unavailable), commits what is queued, syncs the WAL and
  // closes RocksDB. Idempotent.
  absl::Status Close();

  class Impl;

 private:
  explicit LogStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::storage
