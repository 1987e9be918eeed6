// Reads of one partition's batches from the `records` column family.
//
// Every iterator is bounded to [key(log_start), key(high_watermark)): the lower bound keeps Seek
// from wading through deleted keys below the log start (tombstones at the head of a queue are the
// classic RocksDB queue pitfall), and the upper bound hides batches that are written but not yet
// acknowledged. Every value read is checksummed; a bad one is DataLoss (kCorruptData) naming the
// topic, partition and offset.
//
// Thread-safe (RocksDB iterators are per call); the StoreDb must stay open during a call.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <vector>

#include "choreo/storage/log_store.h"
#include "storage/store_db.h"

namespace choreo::storage {

// The visible range of a partition, [log_start, high_watermark).
struct VisibleRange {
  Offset log_start = 0;
  Offset high_watermark = 0;
};

// The offset after the partition's last stored batch, or 0 if it has none. Only the header of the
// last batch is decoded (its checksum is checked when it is read).
absl::StatusOr<Offset> RecoverNextOffset(const StoreDb& db, const TopicInfo& topic,
                                         PartitionId partition);

// Batches from the one containing `offset` on, up to about `max_bytes` of batch data (at least one
// batch if any). Requires range.log_start <= offset < range.high_watermark. Under
// ReadTier::kMemoryOnly, reading stops at the first batch not in memory; if that is the first,
// `*needs_io` is set and no batches are returned.
absl::StatusOr<std::vector<StoredBatch>> ReadBatches(const StoreDb& db, const TopicInfo& topic,
                                                     PartitionId partition, VisibleRange range,
                                                     Offset offset, uint64_t max_bytes,
                                                     ReadTier tier, bool* needs_io);

// Base offset of the first visible batch whose max timestamp is >= timestamp_ms, or -1.
// A linear scan from the log start (a time index is future work, see README.md).
absl::StatusOr<Offset> FindOffsetForTimestamp(const StoreDb& db, const TopicInfo& topic,
                                              PartitionId partition, VisibleRange range,
                                              int64_t timestamp_ms);

}  // namespace choreo::storage
