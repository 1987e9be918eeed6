#include "storage/group_builder.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include "choreo/common/sequence.h"
#include "choreo/storage/errors.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "storage/producer_format.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

std::string Where(const PendingAppend& append) {
  return absl::StrCat("topic '", append.topic->info.name, "' partition ", append.partition);
}

absl::Status SequenceError(const PendingAppend& append, SequenceVerdict verdict,
                           const ProducerPartitionState* state) {
  const BatchFields& f = append.fields;
  std::string what = absl::StrCat("append to ", Where(append), ": producer ", f.producer_id,
                                  " epoch ", f.producer_epoch, " batch at sequence ",
                                  f.base_sequence, " (", f.record_count, " records)");
  std::string expected = state == nullptr || state->epoch != f.producer_epoch
                             ? std::string("0 (first batch of this epoch in this partition)")
                             : absl::StrCat(AddSequence(state->last_sequence, 1));
  switch (verdict) {
    case SequenceVerdict::kOutOfOrder:
      return MakeStoreError(StoreErrorKind::kOutOfOrderSequence,
                            absl::StrCat(what, " is out of order; expected ", expected));
    case SequenceVerdict::kStaleSequence:
      return MakeStoreError(StoreErrorKind::kDuplicateSequence,
                            absl::StrCat(what, " was already appended and is older than the last ",
                                         kProducerWindowSize, " batches; expected ", expected));
    default:
      return MakeStoreError(
          StoreErrorKind::kInvalidBatch,
          absl::StrCat(what, " has a negative sequence or too many records (at most ",
                       kMaxSequencesPerBatch, ")"));
  }
}

}  // namespace

absl::StatusOr<AppendResult> GroupBuilder::Add(const PendingAppend& append) {
  if (append.topic->deleted.load()) {
    return MakeStoreError(StoreErrorKind::kUnknownTopic,
                          absl::StrCat("append to ", Where(append), ": topic was deleted"));
  }
  PartitionState& partition = append.topic->partitions[append.partition];
  if (append.fields.producer_id >= 0) {
    std::optional<absl::StatusOr<AppendResult>> decided = CheckProducer(append, partition);
    if (decided.has_value()) return *std::move(decided);
  }
  touched_.try_emplace(&partition, Touched{append.topic->info.id, append.partition,
                                           partition.next_offset, partition.next_end_bytes});
  const Offset base = partition.next_offset;
  RecordKey key = EncodeRecordKey(append.topic->info.id, append.partition, base);
  BatchHeaderBytes header = EncodeBatchHeader(append.fields, append.batch);
  rocksdb::Slice key_part(key.data(), key.size());
  rocksdb::Slice value_parts[2] = {rocksdb::Slice(header.data(), header.size()),
                                   rocksdb::Slice(append.batch)};
  rocksdb::Status s = batch_.Put(db_.records, rocksdb::SliceParts(&key_part, 1),
                                 rocksdb::SliceParts(value_parts, 2));
  if (!s.ok()) {
    return MakeStoreError(StoreErrorKind::kInvalidBatch,
                          absl::StrCat("append to ", Where(append), ": ", s.ToString()));
  }
  if (index_ != nullptr && append.fields.events != nullptr &&
      append.topic->info.config.index_events) {
    index_->Stage(append.topic->info.id, append.partition, base, *append.fields.events,
                  &index_writes_);
  }
  partition.next_offset += append.fields.record_count;
  partition.next_end_bytes += static_cast<int64_t>(append.batch.size());
  staged_.batches += 1;
  staged_.records += append.fields.record_count;
  staged_.bytes += append.batch.size();
  if (append.fields.producer_id >= 0) RecordProducer(append, partition, base);
  return AppendResult{.base_offset = base};
}

absl::StatusOr<AppendResult> GroupBuilder::AddSchedule(const PendingSchedule& schedule) {
  absl::StatusOr<AppendResult> result = AppendResult{};
  if (schedule.delivery.has_value()) result = Add(*schedule.delivery);
  for (const auto& [key, value] : schedule.puts)
    batch_.Put(db_.scheduled, key, value);
  for (const std::string& key : schedule.deletes)
    batch_.Delete(db_.scheduled, key);
  return result;
}

std::optional<absl::StatusOr<AppendResult>> GroupBuilder::CheckProducer(const PendingAppend& append,
                                                                        PartitionState& partition) {
  const BatchFields& f = append.fields;
  if (absl::Status s = producers_.CheckEpoch(f.producer_id, f.producer_epoch, now_ms_); !s.ok()) {
    return MakeStoreError(StoreErrorKindOf(s),
                          absl::StrCat("append to ", Where(append), ": ", s.message()));
  }
  auto it = partition.producers.find(f.producer_id);
  const ProducerPartitionState* state = it == partition.producers.end() ? nullptr : &it->second;
  SequenceCheck check = CheckSequence(state, f.producer_epoch, f.base_sequence, f.record_count);
  switch (check.verdict) {
    case SequenceVerdict::kAppend:
      return std::nullopt;
    case SequenceVerdict::kDuplicate:
      return AppendResult{.base_offset = check.duplicate_base_offset, .duplicate = true};
    default:
      return SequenceError(append, check.verdict, state);
  }
}

void GroupBuilder::RecordProducer(const PendingAppend& append, PartitionState& partition,
                                  Offset base) {
  const BatchFields& f = append.fields;
  auto [it, inserted] = partition.producers.try_emplace(f.producer_id);
  auto [undo, first] = producer_undo_.try_emplace(ProducerKey{&partition, f.producer_id});
  if (first) {
    undo->second.topic_id = append.topic->info.id;
    undo->second.partition = append.partition;
    if (!inserted) undo->second.before = it->second;
  }
  RecordAppend(it->second, f.producer_epoch, f.base_sequence, f.record_count, base);
  it->second.last_append_ms = now_ms_;
}

absl::Status GroupBuilder::Seal() {
  if (!index_writes_.empty()) {
    if (absl::Status st = index_->Apply(index_writes_, batch_); !st.ok()) return st;
  }
  for (const auto& [key, undo] : producer_undo_) {
    const auto& [partition, producer_id] = key;
    std::string state_key = EncodeProducerStateKey(
        {.topic_id = undo.topic_id, .partition = undo.partition, .producer_id = producer_id});
    rocksdb::Status s = batch_.Put(db_.producers, state_key,
                                   EncodeProducerState(partition->producers.at(producer_id)));
    if (!s.ok()) return FromRocksStatus(s, "stage producer state");
  }
  // One small Put per partition, so that Open() knows the partition's size without scanning it.
  for (const auto& [partition, t] : touched_) {
    if (!partition->end_bytes_durable) continue;
    rocksdb::Status s = batch_.Put(db_.meta, EndBytesMetaKey(t.topic_id, t.partition),
                                   EncodeEndBytes(partition->next_end_bytes));
    if (!s.ok()) return FromRocksStatus(s, "stage end byte position");
  }
  return absl::OkStatus();
}

std::vector<AdvancedPartition> GroupBuilder::Publish() {
  std::vector<AdvancedPartition> advanced;
  advanced.reserve(touched_.size());
  for (auto& [partition, t] : touched_) {
    {
      // Together, so that retention reads a matching (high watermark, bytes) pair.
      MutexLock lock(&partition->size_mu);
      partition->high_watermark.store(partition->next_offset, std::memory_order_release);
      partition->appended_bytes = partition->next_end_bytes;
    }
    advanced.push_back({t.topic_id, t.partition, partition->next_offset});
  }
  return advanced;
}

void GroupBuilder::Rollback() {
  for (auto& [partition, t] : touched_) {
    partition->next_offset = t.next_offset_before;
    partition->next_end_bytes = t.next_end_bytes_before;
  }
  for (auto& [key, undo] : producer_undo_) {
    const auto& [partition, producer_id] = key;
    if (undo.before.has_value()) {
      partition->producers[producer_id] = *std::move(undo.before);
    } else {
      partition->producers.erase(producer_id);
    }
  }
}

}  // namespace choreo::storage
