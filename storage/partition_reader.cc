#include "storage/partition_reader.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include <memory>
#include <optional>
#include <string>

#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/range_iterator.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

std::string Where(const TopicInfo& topic, PartitionId partition) {
  return absl::StrCat("topic '", topic.name, "' partition ", partition);
}

absl::Status Corrupt(const TopicInfo& topic, PartitionId partition, absl::string_view offset,
                     absl::string_view reason) {
  return MakeStoreError(StoreErrorKind::kCorruptData,
                        absl::StrCat("corrupt batch in ", Where(topic, partition), " at offset ",
                                     offset, ": ", reason));
}

RangeIterator VisibleIterator(const StoreDb& db, const TopicInfo& topic, PartitionId partition,
                              VisibleRange range, ReadTier tier = ReadTier::kMayBlock) {
  return RangeIterator(
      db, db.records,
      std::string(AsStringView(EncodeRecordKey(topic.id, partition, range.log_start))),
      std::string(AsStringView(EncodeRecordKey(topic.id, partition, range.high_watermark))),
      tier == ReadTier::kMemoryOnly ? rocksdb::kBlockCacheTier : rocksdb::kReadAllTier);
}

struct DecodedEntry {
  Offset base_offset = 0;
  BatchView view;
};

// Decodes and verifies the entry under a valid iterator.
absl::StatusOr<DecodedEntry> DecodeEntry(rocksdb::Iterator& it, const TopicInfo& topic,
                                         PartitionId partition) {
  std::optional<DecodedRecordKey> key = DecodeRecordKey(it.key().ToStringView());
  if (!key.has_value() || key->topic_id != topic.id || key->partition != partition) {
    return Corrupt(topic, partition, "?", "malformed record key");
  }
  absl::StatusOr<BatchView> view = DecodeBatchValue(it.value().ToStringView());
  if (!view.ok()) {
    return Corrupt(topic, partition, absl::StrCat(key->base_offset), view.status().message());
  }
  return DecodedEntry{.base_offset = key->base_offset, .view = *view};
}

absl::Status IteratorStatus(rocksdb::Iterator& it, const TopicInfo& topic, PartitionId partition) {
  if (it.status().ok()) return absl::OkStatus();
  if (it.status().IsCorruption()) {
    return MakeStoreError(
        StoreErrorKind::kCorruptData,
        absl::StrCat("read ", Where(topic, partition), ": ", it.status().ToString()));
  }
  return FromRocksStatus(it.status(), absl::StrCat("read ", Where(topic, partition)));
}

}  // namespace

absl::StatusOr<Offset> RecoverNextOffset(const StoreDb& db, const TopicInfo& topic,
                                         PartitionId partition) {
  KeyRange range = PartitionKeyRange(topic.id, partition);
  RangeIterator bounded(db, db.records, std::move(range.begin), std::move(range.end));
  rocksdb::Iterator& it = bounded.get();
  it.SeekToLast();
  if (!it.Valid()) {
    if (absl::Status s = IteratorStatus(it, topic, partition); !s.ok()) return s;
    return 0;
  }
  std::optional<DecodedRecordKey> key = DecodeRecordKey(it.key().ToStringView());
  if (!key.has_value()) return Corrupt(topic, partition, "?", "malformed last record key");
  absl::StatusOr<BatchHeader> header = DecodeBatchHeaderOnly(it.value().ToStringView());
  if (!header.ok()) {
    return Corrupt(topic, partition, absl::StrCat(key->base_offset),
                   absl::StrCat("cannot recover the partition's end: ", header.status().message()));
  }
  return key->base_offset + static_cast<Offset>(header->record_count);
}

absl::StatusOr<std::vector<StoredBatch>> ReadBatches(const StoreDb& db, const TopicInfo& topic,
                                                     PartitionId partition, VisibleRange range,
                                                     Offset offset, uint64_t max_bytes,
                                                     ReadTier tier, bool* needs_io) {
  *needs_io = false;
  RangeIterator bounded = VisibleIterator(db, topic, partition, range, tier);
  rocksdb::Iterator& it = bounded.get();
  RecordKey target = EncodeRecordKey(topic.id, partition, offset);
  // Under kBlockCacheTier an iterator that would have to read a file stops with Incomplete.
  auto incomplete = [&] { return it.status().IsIncomplete(); };
  // The batch containing `offset` is the last one whose base is <= offset. If there is none in
  // range (the log start is not a batch boundary), start at the first batch after it.
  it.SeekForPrev(AsStringView(target));
  if (!it.Valid()) {
    if (incomplete()) {
      *needs_io = true;
      return std::vector<StoredBatch>{};
    }
    if (absl::Status s = IteratorStatus(it, topic, partition); !s.ok()) return s;
    it.Seek(AsStringView(target));
  }
  std::vector<StoredBatch> batches;
  uint64_t total_bytes = 0;
  for (; it.Valid(); it.Next()) {
    absl::StatusOr<DecodedEntry> entry = DecodeEntry(it, topic, partition);
    if (!entry.ok()) return entry.status();
    const BatchHeader& header = entry->view.header;
    // Only the first entry can end at or before `offset` (offsets are dense).
    if (entry->base_offset + static_cast<Offset>(header.record_count) <= offset) continue;
    uint64_t size = entry->view.batch.size();
    if (!batches.empty() && total_bytes + size > max_bytes) break;
    total_bytes += size;
    batches.push_back(StoredBatch{.base_offset = entry->base_offset,
                                  .record_count = header.record_count,
                                  .max_timestamp_ms = header.max_timestamp_ms,
                                  .data = std::string(entry->view.batch)});
    if (total_bytes >= max_bytes) break;
  }
  if (incomplete()) {
    // What was in memory is an answer already; only with nothing must the caller go to disk.
    *needs_io = batches.empty();
    return batches;
  }
  if (absl::Status s = IteratorStatus(it, topic, partition); !s.ok()) return s;
  return batches;
}

absl::StatusOr<Offset> FindOffsetForTimestamp(const StoreDb& db, const TopicInfo& topic,
                                              PartitionId partition, VisibleRange range,
                                              int64_t timestamp_ms) {
  RangeIterator bounded = VisibleIterator(db, topic, partition, range);
  rocksdb::Iterator& it = bounded.get();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    absl::StatusOr<DecodedEntry> entry = DecodeEntry(it, topic, partition);
    if (!entry.ok()) return entry.status();
    if (entry->view.header.max_timestamp_ms >= timestamp_ms) return entry->base_offset;
  }
  if (absl::Status s = IteratorStatus(it, topic, partition); !s.ok()) return s;
  return Offset{-1};
}

}  // namespace choreo::storage
