// LogStore: choreo's partitioned append log, persisted in one RocksDB instance per data directory.
//
// Layout (see storage/README.md): column family `records` holds one key per record batch,
//   key   = format version u8 (1) | topic_id u32 BE | partition u32 BE | base_offset u64 BE
//   value = StoredBatchHeader (fixed size, with a CRC32C over header and batch) | batch bytes
// so keys sort by (topic, partition, offset) and a read is one SeekForPrev plus a forward scan.
// Column family `meta` holds topic definitions, the topic-id counter, per-partition state and
// producer ids/epochs; `producers` the idempotent-producer sequence state (written in the same
// WriteBatch as the batches it describes); `offsets` committed consumer-group offsets.
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
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/storage/event_index.h"
#include "choreo/storage/schema_store.h"
#include "choreo/storage/security_store.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace choreo::storage {

class StoreObserver;

using Offset = int64_t;
using PartitionId = uint32_t;
// A topic id is a type of its own, not an integer: (topic, partition) pairs are passed all over
// the store and the broker, and a swapped pair would otherwise compile and address another
// partition's data. Make one with TopicId{n}; ToInt() gives the number (keys, logs, metrics).
enum class TopicId : uint32_t {};
constexpr uint32_t ToInt(TopicId id) {
  return static_cast<uint32_t>(id);
}
// The largest topic id (std::numeric_limits knows nothing of an enum).
inline constexpr TopicId kMaxTopicId{std::numeric_limits<uint32_t>::max()};
// The id after `id` (< kMaxTopicId).
constexpr TopicId NextTopicId(TopicId id) {
  return TopicId{ToInt(id) + 1};
}

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
  // Compress stored batches with LZ4 (every level of the records column family). Default: false:
  // batches are stored as producers sent them, so producers that compress (lz4/zstd batches) pay
  // once, at the source. See storage/README.md, "RocksDB options and why".
  bool lz4_compression = false;
  // Write flushed and compacted files with direct I/O (O_DIRECT), bypassing the page cache, when
  // the data directory's filesystem supports it (some do not, tmpfs before Linux 6.6 among them:
  // then buffered, silently) and no custom `env` is set. Default: false: it made producing up to
  // 15 % faster but reading a backlog 35 % slower (the data is then not in the page cache); see
  // storage/README.md.
  bool direct_io_writes = false;
  // Retention (ApplyRetention) skips a partition whose trim would drop fewer batch bytes than
  // this, unless it drops at least 10% of the partition or everything (all expired by time):
  // many small range deletions slow reads down. Default: 1 MiB.
  uint64_t retention_min_trim_bytes = 1ull << 20;
  // An idempotent producer that has neither appended nor been initialized for this long is
  // forgotten by ExpireProducers() (Kafka's producer.id.expiration.ms): its id and epoch and its
  // sequence state in every partition. Must be positive. Default: 7 days.
  int64_t producer_id_expiration_ms = int64_t{7} * 24 * 3600 * 1000;
  // The wall clock (ms since the Unix epoch) that stamps producers' activity, for tests that
  // move time. Default: nullptr, meaning the system clock.
  std::function<int64_t()> wall_clock_ms = nullptr;
  // The RocksDB environment, for tests that inject I/O failures. Ownership is NOT transferred; it
  // must outlive the store. Default: nullptr, meaning rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
  // Told about every group commit and WAL sync (store_observer.h), for metrics. Ownership is NOT
  // transferred; it must outlive the store. Default: nullptr (nothing is measured).
  StoreObserver* observer = nullptr;
  // After a write failed (a full disk, an I/O error), how often the store tries to take writes
  // again (GetWriteHealth()). Must be positive. Default: 1 s (as RocksDB's own
  // bgerror_resume_retry_interval).
  absl::Duration write_recovery_interval = absl::Seconds(1);
};

// Whether the store takes writes now (LogStore::GetWriteHealth()). After a failed write (group
// commit, periodic WAL sync, or RocksDB's own flush or compaction: a full disk, an I/O error)
// appends fail with kNoSpace or kIoError while reads keep working; a background thread tries
// every write_recovery_interval to resume RocksDB (after a failed periodic WAL sync also flushing
// every memtable to new, synced files and syncing the WAL), and takes writes again once that
// succeeds. After a failed WAL write (or a fatal error) it does not try: see `recoverable`.
struct WriteHealth {
  // Writes are failing; cleared only by a successful recovery.
  bool refusing = false;
  // Why (the first failure since writes were last taken), e.g. "WAL write failed: IO error: No
  // space left on device". Empty when not refusing.
  std::string reason;
  // The failure was a full disk (or quota): freeing space is the cure.
  bool no_space = false;
  // False after a failed WAL write (RocksDB's WAL writer is then unusable, and resuming could
  // abort the process) or an error RocksDB calls fatal: writes are refused until the store is
  // reopened (the broker restarted), which loses nothing acknowledged.
  bool recoverable = true;
  // Failed writes (group commits, WAL syncs, background flushes and compactions) since Open().
  uint64_t write_errors = 0;
  // Times the store took writes again after refusing them.
  uint64_t recoveries = 0;
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
  // Keep the topic's enveloped records in the event index (BatchFields::events). The store only
  // keeps the setting; the broker decides what to extract. Default: true.
  bool index_events = true;
  // Accept only enveloped records whose event type and schema version are registered (the schema
  // registry, broker/schema/). The store only keeps the setting; the broker checks batches.
  // Default: false.
  bool schema_validation = false;
  // The broker stamps every appended batch with its own clock (Kafka's
  // message.timestamp.type=LogAppendTime) instead of keeping the producer's timestamps. The store
  // only keeps the setting; the broker stamps batches. Default: false (create time).
  bool log_append_time = false;
};

// A change to a topic's configuration: fields left empty keep their value.
struct TopicConfigUpdate {
  // Must be >= the current count (partitions never shrink: keys map to partitions by count).
  std::optional<uint32_t> partitions = std::nullopt;
  std::optional<int64_t> retention_ms = std::nullopt;
  std::optional<int64_t> retention_bytes = std::nullopt;
  std::optional<uint64_t> max_message_bytes = std::nullopt;
  std::optional<bool> index_events = std::nullopt;
  std::optional<bool> schema_validation = std::nullopt;
  std::optional<bool> log_append_time = std::nullopt;
};

inline constexpr uint32_t kMaxPartitions = 10000;
inline constexpr size_t kMaxTopicNameLength = 249;

// OK if `name` can name a topic: 1 to kMaxTopicNameLength characters of [a-zA-Z0-9._-], and not
// "." or "..". Otherwise InvalidArgument (StoreErrorKind::kInvalidTopic). CreateTopic() checks it;
// it is exposed so the broker can reject a bad name before doing any work.
absl::Status ValidateTopicName(std::string_view name);

struct TopicInfo {
  TopicId id{};
  std::string name;
  TopicConfig config;
};

// The fields of a batch the store needs, extracted by the broker when it validated the batch.
struct BatchFields {
  uint32_t record_count = 0;
  int64_t max_timestamp_ms = 0;
  // >= 0: an idempotent producer from InitProducer(); -1: not idempotent (no sequence checks).
  int64_t producer_id = -1;
  int32_t producer_epoch = 0;
  // Sequence of the batch's first record in this partition; its records hold base_sequence ..
  // base_sequence + record_count - 1. Counts from 0 per (producer, epoch, partition); never wraps.
  int32_t base_sequence = 0;
  // The batch's enveloped records, written to the event index with the batch (event_index.h), in
  // offset order; null or empty: nothing of the batch is indexed. Shared so copies are cheap.
  std::shared_ptr<const std::vector<IndexedEventFields>> events = nullptr;
};

// An idempotent producer's identity, from LogStore::InitProducer.
struct ProducerIdentity {
  int64_t producer_id = -1;
  int32_t epoch = 0;
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
  // Batch bytes stored in [log_start_offset, high_watermark), or -1 if not known. Only
  // GetOffsets() fills it (-1 elsewhere). Known across restarts without scanning (the store keeps
  // each partition's byte positions in its metadata); unknown after Open() only for a partition
  // holding data written by a version that did not keep them, until a size-retention pass
  // measures it. It grows with appends and shrinks with retention.
  int64_t stored_bytes = -1;
};

// RocksDB's own view of the store, summed over the column families (LogStore::GetDbStats()).
struct DbStats {
  // SST files of every version still referenced (includes obsolete files a reader still pins).
  uint64_t total_sst_bytes = 0;
  // SST files of the current version.
  uint64_t live_sst_bytes = 0;
  // Bytes RocksDB estimates compaction must rewrite to bring every level under its target; a
  // growing value means compaction is falling behind (writes are slowed, then stopped).
  uint64_t pending_compaction_bytes = 0;
  // Active and unflushed immutable memtables.
  uint64_t memtable_bytes = 0;
  // Compactions and flushes running now.
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  // Memory held by the shared block cache.
  uint64_t block_cache_bytes = 0;
  // Idempotent producers whose state the store keeps (allocated and not expired).
  uint64_t producer_ids = 0;
};

struct ReadResult {
  // Batches in offset order, starting with the one that contains the requested offset (so the
  // first may start below it). At least one batch is returned when any exists at or above the
  // offset, even if it is larger than max_bytes.
  std::vector<StoredBatch> batches;
  PartitionOffsets offsets;
  // ReadTier::kMemoryOnly only: the read stopped because the next batch is not in memory (no
  // batches then); read again with kMayBlock on a thread that may block.
  bool needs_io = false;
};

// Where Read() may look. kMemoryOnly reads only memtables and the block cache, never the disk, so
// it can run on a thread that must not block (a network thread serving a consumer at the tail).
enum class ReadTier { kMayBlock, kMemoryOnly };

inline constexpr size_t kMaxGroupIdLength = 255;
inline constexpr size_t kMaxOffsetMetadataBytes = 4096;

// A consumer group's committed position in one partition.
struct GroupOffset {
  std::string topic = {};
  PartitionId partition = 0;
  // The next offset the group will consume (>= 0). In FetchGroupOffsets() results for specific
  // partitions, -1 means nothing was committed there.
  Offset offset = -1;
  // Opaque to the store; at most kMaxOffsetMetadataBytes.
  std::string metadata = {};
  // Milliseconds since the Unix epoch. On commit, 0 means "now".
  int64_t commit_time_ms = 0;
};

struct TopicPartition {
  std::string topic = {};
  PartitionId partition = 0;
};

// One batch of a step (LogStore::AppendStep).
struct StepBatch {
  std::string topic = {};
  PartitionId partition = 0;
  std::string batch = {};
  // fields.producer_id must be >= 0: a step is retried safely only through the producer's
  // sequence checks.
  BatchFields fields = {};
};

// What LogStore::AppendStep writes as one unit: record batches to any partitions and a consumer
// group's offsets.
struct StepAppends {
  std::vector<StepBatch> batches = {};
  // The group whose offsets are committed: 1 to kMaxGroupIdLength bytes, or empty when `offsets`
  // is.
  std::string group = {};
  // As for CommitGroupOffsets (commit_time_ms 0 means "now").
  std::vector<GroupOffset> offsets = {};
};

struct StepResult {
  // One entry per StepAppends::batches entry, in the same order.
  std::vector<AppendResult> batches;
  // Every batch was a retry of a recent one: nothing was written, and `batches` holds the
  // original offsets (the offsets were committed with the original step).
  bool duplicate = false;
};

// An event to append to `topic` when due (LogStore::ScheduleEvent): a batch already checked by
// the broker (as for Append), not idempotent (fields.producer_id -1: its exactly-once delivery
// comes from the store deleting the event in the write that appends it).
struct ScheduledEvent {
  // 1 to kMaxScheduledIdLength bytes; unique among the pending events. The handle to cancel it.
  std::string id = {};
  // Milliseconds since the Unix epoch; >= 0. A time already past is delivered at once.
  int64_t due_ms = 0;
  std::string topic = {};
  PartitionId partition = 0;
  std::string batch = {};
  BatchFields fields = {};
};

inline constexpr size_t kMaxScheduledIdLength = 512;

struct ScheduleResult {
  // An event with this id was pending already: nothing was written (a retry of a schedule whose
  // answer was lost, or a second arming of the same timer); `due_ms` is the pending event's.
  bool already_scheduled = false;
  int64_t due_ms = 0;
};

// What LogStore::CancelScheduledEvent found.
enum class CancelOutcome {
  kCancelled,         // it was pending; now it never will be delivered
  kAlreadyCancelled,  // an earlier cancel took it back (a repeated cancel is answered this way)
  kDelivered,         // it was delivered (appended) already
  kNotFound,          // never scheduled, or it ended more than 7 days ago
};

// A due event handed out by LogStore::TakeDueEvents, to be delivered or dropped.
struct DueEvent {
  std::string id;
  int64_t due_ms = 0;
  TopicId topic_id{};
  std::string topic;
  PartitionId partition = 0;
  uint32_t record_count = 0;
  std::string batch;
};

using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;
using StepCallback = std::function<void(absl::StatusOr<StepResult>)>;
// The outcome of delivering a due event: where its batch was appended, or why it was not.
using DeliveryCallback = std::function<void(absl::StatusOr<AppendResult>)>;
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
  // Changes a topic's configuration, durably. New partitions start empty at offset 0. Errors:
  // NotFound (kUnknownTopic), InvalidArgument (kInvalidTopic: fewer partitions than now, or a
  // value that CreateTopic would reject).
  absl::StatusOr<TopicInfo> AlterTopic(std::string_view name, const TopicConfigUpdate& update);
  std::vector<TopicInfo> ListTopics() const;
  absl::StatusOr<TopicInfo> GetTopic(std::string_view name) const;

  // Appends one batch to a partition. `done` is called exactly once: with the batch's base offset
  // once it is durable under the fsync policy, or with an error (unknown topic, invalid partition,
  // storage failure, store closed). It may run on the caller's thread for immediate errors.
  //
  // With fields.producer_id >= 0 the batch is checked against that producer's state in the
  // partition, in arrival order (several batches may be in flight):
  //   - unknown producer id: kUnknownProducerId; epoch not the current one: kProducerFenced;
  //   - first batch of the producer (or of a new epoch) in the partition: sequence must be 0;
  //   - base_sequence == last sequence + 1: appended;
  //   - (base_sequence, record_count) equal to one of the last 5 batches appended: nothing is
  //     appended and `done` gets that batch's original base offset with duplicate = true;
  //   - base_sequence > last + 1 (a gap): kOutOfOrderSequence;
  //   - anything else (an older retry, beyond the window): kDuplicateSequence;
  //   - negative or overflowing sequence: kInvalidBatch.
  // The producer state is written in the same RocksDB WriteBatch as the batch, so it survives
  // restarts and crashes exactly as the data does.
  void Append(std::string_view topic, PartitionId partition, std::string batch,
              const BatchFields& fields, AppendCallback done);
  // Blocking convenience wrapper around Append().
  absl::StatusOr<AppendResult> AppendAndWait(std::string_view topic, PartitionId partition,
                                             std::string batch, const BatchFields& fields);

  // Appends `step.batches` and commits `step.offsets` for `step.group` in one RocksDB write: after
  // a crash either all of it is there or none of it. The step goes through the same queue as
  // Append() and is written in a group commit with the appends around it (so it is ordered with
  // them per partition and durable under the fsync policy when `done` reports OK). `done` is
  // called exactly once, on the committer thread (or the caller's, for errors found at once).
  //
  // Atomic: if any batch fails the producer rules of Append() (or its topic was deleted while
  // queued), nothing of the step is written, and `done` gets that batch's error with its kind;
  // the other appends of the group are unaffected. If the group's write fails, the step fails
  // with it. Retries: if every batch is a duplicate of a recent one (Append()'s window), nothing
  // is written and `done` gets the original offsets with duplicate = true (the offsets went with
  // the original); a step mixing duplicates and new batches is rejected with kInvalidStep.
  //
  // Errors found before queueing: kInvalidStep (no batches and no offsets, or a batch without a
  // producer id), kUnknownTopic, kInvalidPartition, kInvalidBatch (as Append()), and the offset
  // errors of CommitGroupOffsets (kInvalidGroupId, kOffsetOutOfRange, kOffsetMetadataTooLarge).
  // The store does no fencing by member or generation: the caller checks before calling, and a
  // member may lose its partitions between that check and the write.
  void AppendStep(StepAppends step, StepCallback done);

  // Reads visible batches from `offset` up to about `max_bytes` of batch data. An offset equal to
  // the high watermark returns no batches; one below the log start or above the high watermark is
  // OutOfRange, and so is one whose batch a concurrent retention pass deleted (never later batches
  // in its place). A stored value that fails its checksum is DataLoss, never returned as data.
  absl::StatusOr<ReadResult> Read(std::string_view topic, PartitionId partition, Offset offset,
                                  uint64_t max_bytes, ReadTier tier = ReadTier::kMayBlock) const;

  // In memory, no I/O: cheap enough for every scrape.
  absl::StatusOr<PartitionOffsets> GetOffsets(std::string_view topic, PartitionId partition) const;

  // The first offset of the first batch whose max timestamp is >= timestamp_ms, or -1 if none.
  absl::StatusOr<Offset> OffsetForTimestamp(std::string_view topic, PartitionId partition,
                                            int64_t timestamp_ms) const;

  // Idempotent producers. With producer_id == -1, allocates a new producer id (from a durable
  // counter; ids are never reused) with epoch 0. With an existing id, `epoch` must be its current
  // epoch: returns it unchanged, or, if bump_epoch, epoch + 1, which fences every older epoch of
  // the producer in all partitions (their appends fail with kProducerFenced) and restarts its
  // sequences at 0. Durable before it returns (synced unless the fsync policy is kNever).
  // Errors: kUnknownProducerId, kProducerFenced (stale epoch, or epochs exhausted), kIoError.
  absl::StatusOr<ProducerIdentity> InitProducer(int64_t producer_id, int32_t epoch,
                                                bool bump_epoch);
  // Forgets the producers idle (no append, no InitProducer) for longer than
  // StoreOptions::producer_id_expiration_ms as of `now_ms` (ms since the Unix epoch; the caller's
  // clock): their ids and epochs and their sequence state in every partition, in memory and on
  // disk. Their later appends and InitProducer calls fail with kUnknownProducerId, whose message
  // says the id expired; ids are never reused. Also run once by Open(). Returns how many
  // producers were forgotten. Call it periodically (the broker does, with retention).
  absl::StatusOr<size_t> ExpireProducers(int64_t now_ms);

  // Consumer-group committed offsets, in the `offsets` column family, keyed by topic id (so a
  // deleted and recreated topic does not inherit them; deleting a topic deletes them). Each call
  // is durable before it returns (synced unless the fsync policy is kNever). The store does no
  // fencing: the group coordinator checks member and generation before calling.
  //
  // Commits all of `offsets` atomically, or none. Errors: kInvalidGroupId (group empty or longer
  // than kMaxGroupIdLength), kUnknownTopic, kInvalidPartition, kOffsetOutOfRange (offset < 0),
  // kOffsetMetadataTooLarge, kIoError.
  absl::Status CommitGroupOffsets(std::string_view group, const std::vector<GroupOffset>& offsets);
  // Every committed offset of the group, sorted by topic id then partition; empty if none.
  absl::StatusOr<std::vector<GroupOffset>> FetchGroupOffsets(std::string_view group) const;
  // One entry per requested partition, in order; offset -1 where nothing was committed.
  // Errors: kInvalidGroupId, kUnknownTopic, kInvalidPartition (for the whole call).
  absl::StatusOr<std::vector<GroupOffset>> FetchGroupOffsets(
      std::string_view group, const std::vector<TopicPartition>& partitions) const;
  // Forgets every committed offset of the group (OK if it had none).
  absl::Status DeleteGroupOffsets(std::string_view group);
  // The groups that have at least one committed offset, sorted by name.
  absl::StatusOr<std::vector<std::string>> ListGroupsWithOffsets() const;

  // One retention pass over every topic with a retention limit (see TopicConfig), as of `now_ms`
  // (ms since the Unix epoch; the caller's clock, so tests can inject one). Per partition: drops
  // the oldest whole batches whose max timestamp is older than now_ms - retention_ms, and the
  // oldest whole batches beyond retention_bytes of batch data (never the newest batch). It moves
  // the log start first (reads below it get OutOfRange; a read already running returns whole
  // batches or OutOfRange), persists it, deletes the records below it and compacts that range so
  // the disk space is reclaimed. Small steps are skipped (StoreOptions::retention_min_trim_bytes).
  // Returns the batch bytes dropped. Blocking and I/O heavy: run it periodically on a background
  // thread, never on a network thread. Passes are serialized. Close() cancels a running pass.
  absl::StatusOr<int64_t> ApplyRetention(int64_t now_ms);

  // Flushes every column family's memtable to disk and waits (for tests and tools that measure
  // the data directory, and before a backup). Not needed for durability: the WAL provides that.
  absl::Status Flush();

  // RocksDB properties (sizes, compaction backlog, memory), read from RocksDB's in-memory state
  // without I/O. Errors: kClosed, kIoError (a property RocksDB does not know).
  absl::StatusOr<DbStats> GetDbStats() const;
  // Whether writes are refused now and why (WriteHealth). Cheap (one lock, no I/O); any thread.
  WriteHealth GetWriteHealth() const;

  // The event index (event_index.h). Queries answer from the index alone (one bounded scan),
  // never by reading a topic, and skip entries whose record is gone (retention, topic deletion) or
  // not yet visible. Errors: InvalidArgument (empty value, limit out of range, bad page token).
  absl::StatusOr<EventPage> FindEvents(const EventQuery& query) const;
  // Creates or replaces a saga definition, durably. It applies to events appended from then on.
  // Errors: InvalidArgument (bad name, no terminal types, deadline <= 0, too many types or
  // definitions).
  absl::Status DefineSaga(const SagaDefinition& definition);
  // Errors: NotFound.
  absl::Status RemoveSagaDefinition(std::string_view name);
  // Sorted by name.
  std::vector<SagaDefinition> ListSagaDefinitions() const;
  // The stuck sagas of `definition` ("": of every definition): open for longer than their
  // definition's deadline as of `now_ms` (ms since the Unix epoch), longest overdue first, at most
  // `limit` (1 .. kMaxEventQueryLimit). A saga closed by a terminal event that was appended
  // before its opening event (possible across partitions) and a saga none of whose events is
  // still readable (retention) are not listed. Errors: NotFound (unknown definition),
  // InvalidArgument (limit).
  absl::StatusOr<std::vector<OpenSaga>> ListStuckSagas(std::string_view definition, int64_t now_ms,
                                                       size_t limit) const;
  // Open and stuck (open longer than the deadline as of now_ms) sagas per definition. One scan of
  // the open sagas: call it periodically, not per request.
  absl::StatusOr<std::vector<OpenSagaCount>> CountOpenSagas(int64_t now_ms) const;
  // Compacts the index's column family now, which drops the entries of records that retention
  // or a topic deletion removed (queries skip them already; RocksDB also drops them in its own
  // compactions, and at least daily). For tests and operators.
  absl::Status CompactEventIndex();

  // The schema registry's versions (schema_store.h), kept in `meta`. The broker decides which
  // versions exist (it serializes registrations and checks compatibility); the store writes what
  // it is given, replacing a value with the same subject and version. Durable before it returns
  // (synced whatever the fsync policy: registrations are rare). Errors: InvalidArgument (subject
  // or schema size out of bounds, version 0), kIoError, kClosed.
  absl::Status PutSchema(const StoredSchema& schema);
  // Every stored version, by subject then version. One bounded scan of `meta`: the broker calls
  // it once at start-up and keeps its own view.
  absl::StatusOr<std::vector<StoredSchema>> ListSchemas() const;

  // The broker's security records (security_store.h), kept in `meta`: users, ACLs, producer-id
  // owners. Put replaces a record with the same kind and key; Delete of a missing record is OK.
  // Both are durable before they return (synced whatever the fsync policy: changes are rare).
  // Errors: InvalidArgument (empty or oversized key, oversized value), kIoError, kClosed, and
  // the store's write refusal (write_health.h). List returns a kind's records sorted by key;
  // errors: DataLoss (a value of an unknown version), kIoError, kClosed.
  absl::Status PutSecurityRecord(SecurityRecordKind kind, const SecurityRecord& record);
  absl::Status DeleteSecurityRecord(SecurityRecordKind kind, std::string_view key);
  absl::StatusOr<std::vector<SecurityRecord>> ListSecurityRecords(SecurityRecordKind kind) const;

  // Scheduled events: stored now, appended to their topic when due (scheduled_events.h). Pending
  // events live only in RocksDB (the `scheduled` column family), so a million of them cost disk,
  // not memory. The broker's delivery loop calls TakeDueEvents() and then DeliverDueEvent() for
  // each; the append and the event's removal are one write, so across crashes a due event is
  // appended once: never lost, never twice.
  //
  // Stores `event` durably (under the fsync policy, like an append) and returns once it is.
  // Scheduling an id that is pending already writes nothing and answers already_scheduled; an id
  // whose event ended (delivered or cancelled) is scheduled anew.
  // Operations on one id are serialized (a schedule, a cancel and a delivery of one id never
  // overlap). Errors: InvalidArgument (kInvalidBatch: bad id, negative due time, empty batch),
  // kUnknownTopic, kInvalidPartition, kIoError/kNoSpace, kClosed.
  absl::StatusOr<ScheduleResult> ScheduleEvent(ScheduledEvent event);
  // Removes a pending event durably, or says why there is none (CancelOutcome). A delivery in
  // progress is waited for (then: kDelivered). An ended event's id is remembered for 7 days, so a
  // repeated cancel learns what happened. Errors: InvalidArgument (bad id), kIoError/kNoSpace,
  // kClosed, Unavailable (kClosed kind) if a delivery of the id stays in progress for 10 s.
  // `check`, if set, is called with a pending event's topic before anything is written, while no
  // other operation on the id can run; a non-OK status it returns is returned as is and the event
  // stays pending (the broker's authorization: cancelling needs write on the event's topic). It is
  // not called for an id that is not pending.
  using CancelCheck = std::function<absl::Status(const std::string& topic)>;
  absl::StatusOr<CancelOutcome> CancelScheduledEvent(std::string_view id,
                                                     const CancelCheck& check = nullptr);
  // Up to `limit` pending events due at or before now_ms, earliest first, skipping those being
  // scheduled, cancelled or delivered. Each one returned is reserved for the caller until it
  // passes it to DeliverDueEvent() or ReleaseDueEvent(). Errors: kIoError, kCorruptData, kClosed.
  absl::StatusOr<std::vector<DueEvent>> TakeDueEvents(int64_t now_ms, size_t limit);
  // Appends a taken event's batch (as Append() would, with `fields`) and removes the event, in
  // one write. With `fields` nullopt (a batch the broker no longer accepts) or when its topic or
  // partition is gone, the event is removed without an append and `done` gets the reason
  // (kUnknownTopic, kInvalidPartition, or kInvalidBatch for nullopt). A failed write keeps the
  // event pending (it is taken again later). `done` runs once, on the committer thread (or the
  // caller's for immediate errors), after the reservation ended.
  void DeliverDueEvent(DueEvent event, std::optional<BatchFields> fields, DeliveryCallback done);
  // Gives a taken event back, undelivered (it stays pending).
  void ReleaseDueEvent(std::string_view id);
  // The due time of the earliest pending event, or nullopt if none. Cheap: one bounded seek.
  absl::StatusOr<std::optional<int64_t>> NextDueTime() const;
  // Pending scheduled events (counted at Open(), then kept in memory).
  uint64_t PendingScheduledEvents() const;

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
