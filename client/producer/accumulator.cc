#include "client/producer/accumulator.h"

#include <utility>

#include "client/producer/batch_encoding.h"

namespace choreo::client_internal {

Accumulator::Accumulator(const ProducerOptions& options)
    : options_(options), random_(std::random_device{}()) {}

TopicState& Accumulator::GetTopic(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    it = topics_.emplace(std::string(name), TopicState{}).first;
    it->second.name = std::string(name);
  }
  return it->second;
}

TopicState* Accumulator::FindTopic(std::string_view name) {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

void Accumulator::EnsurePartitions(TopicState& topic, uint32_t count) {
  while (topic.partitions.size() < count) {
    topic.partitions.push_back(std::make_unique<PartitionState>(
        options_.enable_idempotence, options_.max_in_flight_per_partition));
  }
}

void Accumulator::CloseOpen(PartitionState& partition) {
  if (!partition.open) return;
  partition.open->closed = true;
  partition.ready.push_back(std::move(partition.open));
  partition.open = nullptr;
}

bool Accumulator::Fits(const ProducerBatch& batch, uint64_t bytes,
                       uint64_t max_encoded_bytes) const {
  const uint64_t payload = batch.payload_bytes + bytes;
  return payload <= options_.batch_bytes &&
         MaxEncodedBatchBytes(payload, options_.compression) <= max_encoded_bytes;
}

BatchPtr Accumulator::NewBatch(const TopicState& topic, uint32_t partition,
                               const Submission& submission, ProducerClock::time_point now) {
  auto batch = std::make_shared<ProducerBatch>();
  batch->id = next_batch_id_++;
  batch->first_order = submission.order;
  batch->topic = topic.name;
  batch->partition = partition;
  batch->created = now;
  batch->deadline = submission.deadline != ProducerClock::time_point()
                        ? submission.deadline
                        : now + options_.delivery_timeout;
  return batch;
}

uint32_t Accumulator::ChoosePartition(TopicState& topic, const Submission& submission,
                                      Status* error) {
  const uint32_t count = topic.metadata.partition_count;
  const std::string& key = submission.key();
  if (!key.empty()) {
    const uint32_t p = options_.partitioner
                           ? options_.partitioner->Partition(topic.name, key, count)
                           : DefaultPartitionForKey(key, count);
    if (p >= count) {
      *error = Status(ErrorCode::kInvalidPartition,
                      "the partitioner chose partition " + std::to_string(p) + " of topic '" +
                          topic.name + "', which has " + std::to_string(count) + " partitions");
    }
    return p;
  }
  // Unkeyed: keep to the sticky partition while its batch is open and has room.
  if (topic.sticky_batch != 0 && topic.sticky_partition < topic.partitions.size()) {
    const PartitionState& sticky = *topic.partitions[topic.sticky_partition];
    if (sticky.open && sticky.open->id == topic.sticky_batch) return topic.sticky_partition;
  }
  if (count == 1) return 0;
  // Any other partition, uniformly: spreads keyless load without a fixed rotation.
  const uint32_t previous = topic.sticky_batch != 0 ? topic.sticky_partition : count;
  uint32_t p = static_cast<uint32_t>(random_() % count);
  if (p == previous) p = (p + 1 + static_cast<uint32_t>(random_() % (count - 1))) % count;
  return p;
}

PlaceResult Accumulator::Place(TopicState& topic, Submission& submission,
                               uint64_t max_encoded_bytes, LazyNow& now) {
  PlaceResult result;
  const uint32_t count = topic.metadata.partition_count;
  if (MaxEncodedBatchBytes(submission.payload_bytes, options_.compression) > max_encoded_bytes) {
    result.kind = PlaceResult::Kind::kFailed;
    result.status = Status(ErrorCode::kMessageTooLarge,
                           (submission.whole_batch ? "batch of " : "record of ") +
                               std::to_string(submission.payload_bytes) +
                               " bytes exceeds the batch limit of topic '" + topic.name + "' (" +
                               std::to_string(max_encoded_bytes) + " bytes encoded)");
    return result;
  }
  uint32_t p = 0;
  if (submission.partition) {
    p = *submission.partition;
    if (p >= count) {
      if (!submission.rechecked) {
        submission.rechecked = true;
        result.kind = PlaceResult::Kind::kWait;
        return result;
      }
      result.kind = PlaceResult::Kind::kFailed;
      result.status = Status(ErrorCode::kInvalidPartition,
                             "topic '" + topic.name + "' has " + std::to_string(count) +
                                 " partitions; partition " + std::to_string(p) + " is invalid");
      return result;
    }
  } else {
    if (submission.key().empty() && topic.sticky_batch != 0 &&
        topic.sticky_partition < topic.partitions.size()) {
      // A sticky batch without room for this record is as good as full: send it now.
      PartitionState& sticky = *topic.partitions[topic.sticky_partition];
      if (sticky.open && sticky.open->id == topic.sticky_batch &&
          !Fits(*sticky.open, submission.payload_bytes, max_encoded_bytes)) {
        CloseOpen(sticky);
        result.closed_batch = true;
      }
    }
    Status error;
    p = ChoosePartition(topic, submission, &error);
    if (!error.ok()) {
      result.kind = PlaceResult::Kind::kFailed;
      result.status = std::move(error);
      return result;
    }
  }
  EnsurePartitions(topic, p + 1);
  PartitionState& partition = *topic.partitions[p];

  if (submission.whole_batch) {
    // A batch of its own, after whatever was sent to the partition before.
    CloseOpen(partition);
    BatchPtr batch = NewBatch(topic, p, submission, now.Get());
    batch->payload.reserve(submission.payload_bytes);
    for (const Record& record : submission.batch_records)
      AppendToBatch(record, *batch);
    batch->callbacks.push_back(std::move(submission.callback));
    batch->payload_bytes = submission.payload_bytes;
    batch->memory_bytes = submission.memory_bytes;
    batch->whole_batch = true;
    batch->closed = true;
    partition.ready.push_back(std::move(batch));
    result.partition = &partition;
    result.new_batch = true;
    result.closed_batch = true;
    return result;
  }

  if (partition.open && !Fits(*partition.open, submission.payload_bytes, max_encoded_bytes)) {
    CloseOpen(partition);
    result.closed_batch = true;
  }
  if (!partition.open) {
    partition.open = NewBatch(topic, p, submission, now.Get());
    result.new_batch = true;
  }
  result.partition = &partition;
  ProducerBatch& batch = *partition.open;
  // A Send() submission holds one record, encoded here straight into the batch's payload.
  const bool unkeyed = !submission.partition && submission.record.key.empty();
  AppendToBatch(submission.record, batch);
  batch.callbacks.push_back(std::move(submission.callback));
  batch.payload_bytes += submission.payload_bytes;
  batch.memory_bytes += submission.memory_bytes;
  if (unkeyed) {
    topic.sticky_partition = p;
    topic.sticky_batch = batch.id;
  }
  if (batch.payload_bytes >= options_.batch_bytes) {
    CloseOpen(partition);
    result.closed_batch = true;
  }
  return result;
}

}  // namespace choreo::client_internal
