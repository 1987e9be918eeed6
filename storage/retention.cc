#include "storage/retention.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include <limits>
#include <optional>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/range_iterator.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

struct HeaderEntry {
  Offset base_offset = 0;
  BatchHeader header;
};

std::string Where(const TopicInfo& topic, PartitionId partition) {
  return absl::StrCat("topic '", topic.name, "' partition ", partition);
}

absl::Status Canceled() {
  return MakeStoreError(StoreErrorKind::kClosed, "retention pass canceled: the store is closing");
}

RangeIterator RecordsBetween(const StoreDb& db, TopicId topic_id, PartitionId partition,
                             Offset from, Offset to) {
  return RangeIterator(db, db.records,
                       std::string(AsStringView(EncodeRecordKey(topic_id, partition, from))),
                       std::string(AsStringView(EncodeRecordKey(topic_id, partition, to))));
}

// The key and header of the entry under a valid iterator; the batch bytes are not checksummed
// (retention only needs sizes and timestamps).
absl::StatusOr<HeaderEntry> DecodeHeaderEntry(rocksdb::Iterator& it, const TopicInfo& topic,
                                              PartitionId partition) {
  std::optional<DecodedRecordKey> key = DecodeRecordKey(it.key().ToStringView());
  if (!key.has_value()) {
    return MakeStoreError(
        StoreErrorKind::kCorruptData,
        absl::StrCat("retention in ", Where(topic, partition), ": malformed record key"));
  }
  absl::StatusOr<BatchHeader> header = DecodeBatchHeaderOnly(it.value().ToStringView());
  if (!header.ok()) {
    return MakeStoreError(StoreErrorKind::kCorruptData,
                          absl::StrCat("retention in ", Where(topic, partition), " at offset ",
                                       key->base_offset, ": ", header.status().message()));
  }
  return HeaderEntry{.base_offset = key->base_offset, .header = *header};
}

absl::Status IteratorError(rocksdb::Iterator& it, const TopicInfo& topic, PartitionId partition) {
  if (it.status().ok()) return absl::OkStatus();
  return FromRocksStatus(it.status(), absl::StrCat("retention in ", Where(topic, partition)));
}

// Batch bytes in [from, to).
absl::StatusOr<int64_t> SumBatchBytes(const StoreDb& db, const TopicInfo& topic,
                                      PartitionId partition, Offset from, Offset to,
                                      const std::atomic<bool>& canceled) {
  RangeIterator it = RecordsBetween(db, topic.id, partition, from, to);
  int64_t total = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (canceled.load()) return Canceled();
    absl::StatusOr<HeaderEntry> entry = DecodeHeaderEntry(it.get(), topic, partition);
    if (!entry.ok()) return entry.status();
    total += entry->header.batch_length;
  }
  if (absl::Status s = IteratorError(it.get(), topic, partition); !s.ok()) return s;
  return total;
}

}  // namespace

absl::StatusOr<RetentionPlan> PlanRetention(const StoreDb& db, const TopicInfo& topic,
                                            PartitionId partition, PartitionState& state,
                                            int64_t now_ms, uint64_t min_trim_bytes,
                                            const std::atomic<bool>& canceled) {
  const TopicConfig& config = topic.config;
  const bool by_time = config.retention_ms >= 0;
  const bool by_size = config.retention_bytes >= 0;
  const Offset log_start = state.log_start.load(std::memory_order_acquire);
  RetentionPlan plan{.new_log_start = log_start};
  if (!by_time && !by_size) return plan;
  Offset high_watermark = 0;
  int64_t appended = 0;
  bool size_known = false;
  int64_t size_base = 0;
  {
    MutexLock lock(&state.size_mu);
    high_watermark = state.high_watermark.load(std::memory_order_acquire);
    appended = state.appended_bytes;
    size_known = state.size_known;
    size_base = state.size_base;
  }
  if (log_start >= high_watermark) return plan;

  int64_t total = -1;  // batch bytes in [log_start, high_watermark), if known
  if (by_size) {
    if (!size_known) {
      absl::StatusOr<int64_t> sum =
          SumBatchBytes(db, topic, partition, log_start, high_watermark, canceled);
      if (!sum.ok()) return sum.status();
      size_base = *sum - appended;
      MutexLock lock(&state.size_mu);
      state.size_base = size_base;
      state.size_known = true;
    }
    total = size_base + appended;
  }
  // now_ms >= 0 and retention_ms >= 0, so this cannot overflow.
  const int64_t cutoff =
      by_time ? now_ms - config.retention_ms : std::numeric_limits<int64_t>::min();
  const int64_t excess = by_size ? total - config.retention_bytes : 0;
  bool expired_prefix = by_time;
  bool dropped_all_by_time = false;
  RangeIterator it = RecordsBetween(db, topic.id, partition, log_start, high_watermark);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (canceled.load()) return Canceled();
    absl::StatusOr<HeaderEntry> entry = DecodeHeaderEntry(it.get(), topic, partition);
    if (!entry.ok()) return entry.status();
    const Offset next = entry->base_offset + static_cast<Offset>(entry->header.record_count);
    expired_prefix = expired_prefix && entry->header.max_timestamp_ms < cutoff;
    // Size never drops the newest batch: a partition over its limit keeps its latest data.
    const bool over_size = excess - plan.dropped_bytes > 0 && next < high_watermark;
    if (!expired_prefix && !over_size) break;
    plan.dropped_bytes += entry->header.batch_length;
    plan.new_log_start = next;
    dropped_all_by_time = expired_prefix && next >= high_watermark;
  }
  if (absl::Status s = IteratorError(it.get(), topic, partition); !s.ok()) return s;
  if (plan.new_log_start == log_start) return plan;
  plan.trim = static_cast<uint64_t>(plan.dropped_bytes) >= min_trim_bytes || dropped_all_by_time ||
              (total > 0 && plan.dropped_bytes * 10 >= total);
  return plan;
}

absl::Status CompactTrimmedRange(const StoreDb& db, TopicId topic_id, PartitionId partition,
                                 Offset new_log_start, std::atomic<bool>* canceled) {
  const std::string begin = PartitionKeyRange(topic_id, partition).begin;
  const std::string end(AsStringView(EncodeRecordKey(topic_id, partition, new_log_start)));
  rocksdb::Slice begin_slice(begin), end_slice(end);
  rocksdb::CompactRangeOptions options;
  // Also rewrite the bottommost files in the range: that is where old data lives, and where the
  // range tombstone must reach for the space to be freed.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  options.canceled = canceled;
  rocksdb::Status s = db.db->CompactRange(options, db.records, &begin_slice, &end_slice);
  if (!s.ok()) {
    if (canceled != nullptr && canceled->load()) return Canceled();
    return FromRocksStatus(s, absl::StrCat("compact trimmed records of topic id ", topic_id,
                                           " partition ", partition));
  }
  return absl::OkStatus();
}

}  // namespace choreo::storage
