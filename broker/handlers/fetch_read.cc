#include "broker/handlers/fetch_read.h"

#include <algorithm>
#include <string>

#include "broker/error_mapping.h"
#include "broker/handlers/response_util.h"

namespace choreo::broker {
namespace {

void SetOffsets(const storage::PartitionOffsets& offsets, proto::FetchPartitionResponse* out) {
  out->set_high_watermark(offsets.high_watermark);
  out->set_log_start_offset(offsets.log_start_offset);
}

// Still tells the client where the log is (e.g. after an out-of-range offset, to reset).
void SetOffsetsIfKnown(const storage::LogStore& store, const proto::FetchRequest::Partition& p,
                       proto::FetchPartitionResponse* out) {
  absl::StatusOr<storage::PartitionOffsets> offsets = store.GetOffsets(p.topic(), p.partition());
  if (offsets.ok()) SetOffsets(*offsets, out);
}

// Reads one partition into `out`, spending at most `*budget` bytes unless nothing has been
// returned yet (`*total` == 0). Returns false on error.
// Sets `*needs_io` instead when a memory-only read could not answer.
bool ReadPartition(const storage::LogStore& store, const proto::FetchRequest::Partition& p,
                   storage::ReadTier tier, uint64_t* budget, uint64_t* total, uint64_t* records,
                   bool* needs_io, proto::FetchPartitionResponse* out) {
  uint64_t limit = *budget;
  if (p.max_bytes() != 0) limit = std::min<uint64_t>(limit, p.max_bytes());
  if (limit == 0 && *total > 0) {
    // The response is full: report the partition's offsets only.
    SetOffsetsIfKnown(store, p, out);
    return true;
  }
  absl::StatusOr<storage::ReadResult> read =
      store.Read(p.topic(), p.partition(), p.offset(), std::max<uint64_t>(limit, 1), tier);
  if (!read.ok()) {
    SetError(read.status(), out->mutable_error());
    SetOffsetsIfKnown(store, p, out);
    return false;
  }
  if (read->needs_io) {
    *needs_io = true;
    return true;
  }
  SetOffsets(read->offsets, out);
  for (storage::StoredBatch& batch : read->batches) {
    const uint64_t size = batch.data.size();
    if (size > limit && *total > 0) break;  // only the response's first batch may exceed limits
    proto::FetchedBatch* fetched = out->add_batches();
    fetched->set_base_offset(batch.base_offset);
    fetched->set_batch(std::move(batch.data));
    *records += batch.record_count;
    *total += size;
    limit -= std::min(limit, size);
    *budget -= std::min(*budget, size);
  }
  return true;
}

}  // namespace

FetchPass ReadPartitions(const BrokerServices& services, const proto::FetchRequest& request,
                         const std::vector<std::optional<storage::TopicInfo>>& topics,
                         uint64_t max_bytes, storage::ReadTier tier) {
  FetchPass pass;
  pass.records.resize(request.partitions_size());
  uint64_t budget = max_bytes;
  for (int i = 0; i < request.partitions_size(); ++i) {
    const proto::FetchRequest::Partition& p = request.partitions(i);
    proto::FetchPartitionResponse* out = pass.response.add_partitions();
    out->set_topic(p.topic());
    out->set_partition(p.partition());
    if (!topics[i]) {
      SetError(proto::UNKNOWN_TOPIC, "unknown topic '" + p.topic() + "'", out->mutable_error());
      pass.any_error = true;
      continue;
    }
    if (p.partition() >= topics[i]->config.partitions) {
      SetError(proto::INVALID_PARTITION,
               "topic '" + p.topic() + "' has no partition " + std::to_string(p.partition()),
               out->mutable_error());
      pass.any_error = true;
      continue;
    }
    if (!ReadPartition(services.store, p, tier, &budget, &pass.bytes, &pass.records[i],
                       &pass.needs_io, out)) {
      pass.any_error = true;
    }
    if (pass.needs_io) return pass;  // the caller starts over on the storage pool
  }
  return pass;
}

}  // namespace choreo::broker
