#include "client/producer/partition_window.h"

#include <algorithm>

#include "choreo/common/sequence.h"

namespace choreo::client_internal {
namespace {

// UNKNOWN_TOPIC/INVALID_PARTITION answers a batch may get, each followed by a metadata check that
// found the partition, before it fails with that error.
constexpr uint32_t kMaxMetadataRetries = 3;

}  // namespace

PartitionWindow::PartitionWindow(bool idempotent, uint32_t max_in_flight)
    : idempotent_(idempotent), max_in_flight_(max_in_flight) {}

bool PartitionWindow::HasRoom() const {
  return !resend_pending_ && !awaiting_metadata && batches_.size() < max_in_flight_;
}

void PartitionWindow::Admit(const BatchPtr& batch) {
  batch->admitted = true;
  batch->base_sequence = idempotent_ ? next_sequence_ : 0;
  // Wraps after INT32_MAX to 0, as the broker expects (a batch may straddle the wrap).
  if (idempotent_) next_sequence_ = AddSequence(next_sequence_, batch->record_count);
  batches_.push_back(batch);
}

void PartitionWindow::OnSent(ProducerBatch& batch) {
  batch.in_request = true;
  batch.request_sequence = batch.base_sequence;
  ++batch.attempts;
  ++outstanding_;
}

WindowAction PartitionWindow::OnOutcome(ProducerBatch& batch, const ProduceOutcome& outcome,
                                        ProducerClock::time_point now,
                                        ProducerClock::time_point retry_at) {
  using Kind = ProduceOutcome::Kind;
  if (!batch.in_request) return WindowAction::kNone;
  batch.in_request = false;
  --outstanding_;
  if (batch.dropped || batch.resolved) return WindowAction::kNone;
  // The batch was re-sequenced after this request was sent: whatever the broker said about the
  // old sequence (a gap, normally) says nothing about the new one.
  const bool stale = idempotent_ && batch.request_sequence != batch.base_sequence;
  switch (outcome.kind) {
    case Kind::kAppended:
      batch.resolved = true;
      batch.base_offset = outcome.base_offset;
      consecutive_errors = 0;
      return WindowAction::kNone;
    case Kind::kTransport:
      ScheduleResend(batch, now);
      return WindowAction::kReconnect;
    case Kind::kRetriable:
      ++consecutive_errors;
      ScheduleResend(batch, retry_at);
      return WindowAction::kNone;
    case Kind::kOutOfOrder:
      // The oldest unresolved batch, sent in order from a quiet partition, found a gap before it:
      // records the broker acknowledged are gone. Resending cannot restore them.
      if (idempotent_ && !stale && batches_.front().get() == &batch) return WindowAction::kFatal;
      ScheduleResend(batch, now);  // an earlier batch failed or is being resent
      return WindowAction::kNone;
    case Kind::kMetadata:
      if (stale) {
        ScheduleResend(batch, now);
        return WindowAction::kNone;
      }
      if (++batch.metadata_retries > kMaxMetadataRetries) {
        FailForGood(batch, outcome.status, now);
        return WindowAction::kNone;
      }
      awaiting_metadata = true;
      ScheduleResend(batch, now);
      return WindowAction::kRefreshMetadata;
    case Kind::kFatal:
      return WindowAction::kFatal;
    case Kind::kFailed:
      FailForGood(batch, outcome.status, now);
      return WindowAction::kNone;
  }
  return WindowAction::kNone;
}

void PartitionWindow::FailForGood(ProducerBatch& batch, const Status& status,
                                  ProducerClock::time_point now) {
  if (batch.resolved) return;
  batch.resolved = true;
  batch.error = status;
  batch.base_offset = -1;
  if (!idempotent_) return;
  const int64_t count = batch.record_count;
  bool after = false;
  for (const BatchPtr& other : batches_) {
    if (other.get() == &batch) {
      after = true;
    } else if (after && !other->resolved) {
      other->base_sequence = AddSequence(other->base_sequence, -count);
      ScheduleResend(*other, now);
    }
  }
  next_sequence_ = AddSequence(next_sequence_, -count);
}

void PartitionWindow::ScheduleResend(ProducerBatch& batch, ProducerClock::time_point at) {
  (void)batch;  // every unresolved batch is resent; the argument documents which one caused it
  if (!resend_pending_) {
    resend_pending_ = true;
    resend_at_ = at;
  } else {
    resend_at_ = std::max(resend_at_, at);
  }
}

std::vector<BatchPtr> PartitionWindow::TakeResends(ProducerClock::time_point now) {
  std::vector<BatchPtr> out;
  if (!resend_pending_ || outstanding_ > 0 || awaiting_metadata || now < resend_at_) return out;
  resend_pending_ = false;
  for (const BatchPtr& batch : batches_) {
    if (!batch->resolved) out.push_back(batch);
  }
  return out;
}

ProducerClock::time_point PartitionWindow::ResendDue() const {
  if (!resend_pending_ || outstanding_ > 0 || awaiting_metadata) {
    return ProducerClock::time_point::max();
  }
  return resend_at_;
}

std::vector<BatchPtr> PartitionWindow::PopResolved() {
  std::vector<BatchPtr> out;
  while (!batches_.empty() && batches_.front()->resolved) {
    out.push_back(std::move(batches_.front()));
    batches_.pop_front();
  }
  return out;
}

std::vector<BatchPtr> PartitionWindow::DropAll() {
  std::vector<BatchPtr> out(batches_.begin(), batches_.end());
  for (const BatchPtr& batch : out)
    batch->dropped = true;
  batches_.clear();
  resend_pending_ = false;
  awaiting_metadata = false;
  return out;
}

}  // namespace choreo::client_internal
