// PartitionWindow: the batches of one partition that have been sent and are not resolved yet, in
// sequence order, and the rules for resending them. Not thread-safe: the producer calls it under
// its lock.
//
// Invariants:
//  - `batches` holds admitted batches oldest first; their base sequences are consecutive (each
//    starts where the previous one ends) and `next_sequence` follows the last.
//  - A batch has at most one request outstanding. When any batch needs a resend, no new batch is
//    admitted and nothing is resent until every outstanding request of the partition has been
//    answered; then all unresolved batches are resent, in sequence order, on one connection.
//    Resending only from a quiet partition keeps the broker seeing sequences in order, so an
//    OUT_OF_ORDER_SEQUENCE answer for the oldest unresolved batch can only mean that the broker
//    lost records it had acknowledged.
//  - A batch that fails for good was not appended (the broker checks everything else before the
//    sequence), so the unresolved batches after it are re-sequenced down by its record count.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

#include "client/producer/producer_batch.h"
#include "client/producer/retry_policy.h"

namespace choreo::client_internal {

// What the producer must do after a produce outcome, beyond the window's own bookkeeping.
enum class WindowAction {
  kNone,
  kReconnect,        // the connection is unusable
  kRefreshMetadata,  // resend after the topic's metadata was checked
  kFatal,            // the producer cannot continue (the outcome's status says why)
};

class PartitionWindow {
 public:
  PartitionWindow(bool idempotent, uint32_t max_in_flight);

  // A new batch may be admitted: there is room and no resend is pending.
  bool HasRoom() const;
  // Gives `batch` (encoded) the next base sequence and appends it.
  void Admit(const BatchPtr& batch);
  // Marks `batch` as sent in a new request; call for every request built.
  void OnSent(ProducerBatch& batch);

  // Applies the outcome of the request that carried `batch` with sequence `request_sequence`.
  // `retry_at` is when a retriable error may be resent (now + backoff).
  WindowAction OnOutcome(ProducerBatch& batch, const ProduceOutcome& outcome,
                         ProducerClock::time_point now, ProducerClock::time_point retry_at);

  // Fails `batch` for good with `status` and re-sequences the unresolved batches after it.
  void FailForGood(ProducerBatch& batch, const Status& status, ProducerClock::time_point now);

  // Unresolved batches to resend now, in sequence order (empty unless a resend is due).
  std::vector<BatchPtr> TakeResends(ProducerClock::time_point now);
  // When a pending resend will be due: max() if none is pending or it waits for answers.
  ProducerClock::time_point ResendDue() const;

  // Removes and returns the resolved batches at the front, oldest first.
  std::vector<BatchPtr> PopResolved();
  // Removes and returns every batch (fatal error or close); marks them dropped.
  std::vector<BatchPtr> DropAll();

  const std::deque<BatchPtr>& batches() const { return batches_; }
  uint32_t outstanding() const { return outstanding_; }
  int32_t next_sequence() const { return next_sequence_; }
  // Resends wait for the topic's metadata to be checked (see WindowAction::kRefreshMetadata).
  bool awaiting_metadata = false;
  uint32_t consecutive_errors = 0;

 private:
  void ScheduleResend(ProducerBatch& batch, ProducerClock::time_point at);

  const bool idempotent_;
  const uint32_t max_in_flight_;
  std::deque<BatchPtr> batches_;
  int32_t next_sequence_ = 0;
  uint32_t outstanding_ = 0;
  bool resend_pending_ = false;
  ProducerClock::time_point resend_at_;
};

}  // namespace choreo::client_internal
