// ProducerCore: reporting outcomes. Everything here runs under the lock and only queues the
// callbacks; CompletionQueue runs them after the lock is released.
#include <utility>

#include "client/producer/producer_core.h"

namespace choreo::client_internal {

void ProducerCore::CompleteBatch(ProducerBatch& batch, const Status& error, bool release_memory) {
  const uint64_t memory = release_memory ? std::exchange(batch.memory_bytes, 0) : 0;
  if (batch.reported) {
    // Its callbacks already ran (delivery timeout); only the memory was still held.
    if (memory > 0) {
      buffered_bytes_ -= memory;
      changed_.notify_all();
    }
    return;
  }
  batch.reported = true;
  completions_.Push([this, callbacks = std::move(batch.callbacks), topic = batch.topic,
                     partition = batch.partition, base = batch.base_offset, error,
                     order = batch.first_order, memory] {
    // One result, its offset updated per record: no copy of the topic name per record.
    Result<RecordMetadata> result =
        error.ok() ? Result<RecordMetadata>(RecordMetadata{topic, partition, -1})
                   : Result<RecordMetadata>(error);
    for (size_t i = 0; i < callbacks.size(); ++i) {
      if (!callbacks[i]) continue;
      if (result.ok()) result->offset = base < 0 ? -1 : base + int64_t(i);
      callbacks[i](result);
    }
    Finished(order, memory);
  });
}

void ProducerCore::CompleteSubmission(Submission& submission, const Status& error) {
  completions_.Push([this, callback = std::move(submission.callback), error,
                     order = submission.order, memory = submission.memory_bytes] {
    if (callback) callback(error);
    Finished(order, memory);
  });
}

void ProducerCore::Finished(uint64_t order, uint64_t memory_bytes) {
  Lock lock(mu_);
  auto it = unfinished_.find(order);
  if (it != unfinished_.end()) unfinished_.erase(it);
  buffered_bytes_ -= memory_bytes;
  changed_.notify_all();
}

void ProducerCore::CompletePopped(PartitionState& partition) {
  for (const BatchPtr& batch : partition.window.PopResolved()) {
    CompleteBatch(*batch, batch->error, /*release_memory=*/true);
  }
}

void ProducerCore::FailPartition(PartitionState& partition, const Status& status,
                                 Clock::time_point now) {
  Accumulator::CloseOpen(partition);
  for (const BatchPtr& batch : partition.ready) {
    batch->dropped = true;
    CompleteBatch(*batch, status, true);
  }
  partition.ready.clear();
  const std::deque<BatchPtr> window = partition.window.batches();
  for (const BatchPtr& batch : window) {
    if (!batch->resolved) partition.window.FailForGood(*batch, status, now);
  }
  partition.window.awaiting_metadata = false;
  CompletePopped(partition);
}

void ProducerCore::FailAll(const Status& status) {
  for (auto& [name, topic] : accumulator_.topics()) {
    for (Submission& submission : topic.waiting)
      CompleteSubmission(submission, status);
    topic.waiting.clear();
    topic.sticky_batch = 0;
    for (auto& partition : topic.partitions) {
      Accumulator::CloseOpen(*partition);
      for (const BatchPtr& batch : partition->ready) {
        batch->dropped = true;
        CompleteBatch(*batch, status, true);
      }
      partition->ready.clear();
      for (const BatchPtr& batch : partition->window.DropAll()) {
        // A batch already appended behind an unresolved one still reports its offset.
        CompleteBatch(*batch, batch->resolved ? batch->error : status, true);
      }
    }
  }
  changed_.notify_all();
}

void ProducerCore::SetFatal(const Status& status) {
  if (!fatal_.ok()) return;
  fatal_ = status;
  FailAll(status);
  WakeSender();
}

}  // namespace choreo::client_internal
