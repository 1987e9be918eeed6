// ProducerCore: submissions, buffer memory, Flush() and Close().
#include "client/producer/producer_core.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "client/producer/batch_encoding.h"
#include "client/record_codec.h"

namespace choreo::client_internal {
namespace {

// Memory charged per buffered record beyond its encoded bytes: the callback and the bookkeeping
// around it.
constexpr uint64_t kRecordOverheadBytes = 96;
// A ProduceRequest around a batch, besides the topic name: envelope, correlation id, partition,
// timeout, field tags and lengths.
constexpr uint64_t kProduceRequestOverhead = 64;

std::string Millis(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

std::chrono::milliseconds MetadataWait(const ProducerOptions& options) {
  if (options.max_block.count() == 0) return options.delivery_timeout;
  return std::min(options.max_block, options.delivery_timeout);
}

Status ValidateProducerOptions(const ProducerOptions& o) {
  auto invalid = [](const std::string& what) {
    return Status(ErrorCode::kInvalidArgument, "ProducerOptions: " + what);
  };
  if (o.batch_bytes == 0) return invalid("batch_bytes must be > 0");
  if (o.linger.count() < 0) return invalid("linger must be >= 0");
  if (o.buffer_memory_bytes == 0) return invalid("buffer_memory_bytes must be > 0");
  if (o.max_block.count() < 0) return invalid("max_block must be >= 0");
  if (o.max_in_flight_per_partition == 0) return invalid("max_in_flight_per_partition must be > 0");
  if (o.enable_idempotence && o.max_in_flight_per_partition > 5) {
    return invalid("max_in_flight_per_partition must be at most 5 with enable_idempotence");
  }
  if (o.delivery_timeout.count() <= 0) return invalid("delivery_timeout must be > 0");
  if (o.retry_backoff.count() < 0 || o.retry_backoff_max < o.retry_backoff) {
    return invalid("need 0 <= retry_backoff <= retry_backoff_max");
  }
  if (o.metadata_max_age.count() <= 0) return invalid("metadata_max_age must be > 0");
  return OkStatus();
}

ProducerCore::ProducerCore(const ProducerOptions& options, std::unique_ptr<Connection> connection,
                           ProducerIdentity identity, Status not_connected)
    : options_(options),
      identity_(identity),
      connection_(std::move(connection)),
      accumulator_(options_) {
  if (connection_ != nullptr) {
    UpdateLimits(connection_->broker());
    return;
  }
  // The sender thread connects (and obtains the producer id) as soon as it starts.
  UpdateLimits(BrokerInfo{});
  connection_broken_ = true;
  last_connect_error_ = std::move(not_connected);
  reconnect_at_ = Clock::now();
}

ProducerCore::~ProducerCore() {
  // A destructor has nobody to tell: each record's callback has already had its outcome.
  Close(options_.client.request_timeout).IgnoreError();
}

void ProducerCore::Start() {
  sender_ = std::thread([this] { RunSender(); });
}

void ProducerCore::SubmitOne(std::string_view topic, std::optional<uint32_t> partition,
                             Record&& record, SendCallback callback) {
  Submission submission;
  submission.partition = partition;
  submission.record = std::move(record);
  submission.callback = std::move(callback);
  Submit(topic, submission);
}

void ProducerCore::SubmitBatch(std::string_view topic, uint32_t partition,
                               std::vector<Record>&& records, SendCallback callback) {
  Submission submission;
  submission.partition = partition;
  submission.whole_batch = true;
  submission.batch_records = std::move(records);
  submission.callback = std::move(callback);
  Submit(topic, submission);
}

void ProducerCore::Submit(std::string_view topic, Submission& submission) {
  if (topic.empty()) {
    submission.callback(Status(ErrorCode::kInvalidArgument, "topic name is empty"));
    return;
  }
  if (submission.whole_batch && submission.batch_records.empty()) {
    submission.callback(Status(ErrorCode::kInvalidArgument, "a batch needs a record"));
    return;
  }
  // Timestamps and sizing happen here, on the caller's thread and outside the lock; the records
  // are encoded into their batch when placed (a copy of their bytes, no allocation per record).
  const int64_t now_ms = NowMs();
  auto prepare = [&](Record& record) {
    if (record.timestamp_ms == 0) record.timestamp_ms = now_ms;
    submission.payload_bytes += RecordEntryBytes(record);
  };
  uint64_t count = 1;
  if (submission.whole_batch) {
    for (Record& record : submission.batch_records)
      prepare(record);
    count = submission.batch_records.size();
  } else {
    prepare(submission.record);
  }
  submission.memory_bytes = submission.payload_bytes + kRecordOverheadBytes * count;
  Status status;
  {
    Lock lock(mu_);
    status = Admit(topic, submission, lock);
  }
  // The submission's records (now encoded, or moved to the topic's queue) are freed here, outside
  // the lock.
  if (!status.ok()) submission.callback(status);
}

Status ProducerCore::Admit(std::string_view topic, Submission& submission, Lock& lock) {
  if (!fatal_.ok()) return fatal_;
  if (closing_) return Status(ErrorCode::kClosed, "producer is closed");
  const uint64_t bytes = submission.memory_bytes;
  if (bytes > options_.buffer_memory_bytes) {
    return Status(ErrorCode::kMessageTooLarge,
                  std::to_string(bytes) + " bytes of records exceed buffer_memory_bytes (" +
                      std::to_string(options_.buffer_memory_bytes) + ")");
  }
  const uint64_t overhead = kProduceRequestOverhead + topic.size();
  const uint64_t limit =
      std::min(broker_batch_limit_, frame_limit_ > overhead ? frame_limit_ - overhead : 0);
  if (MaxEncodedBatchBytes(submission.payload_bytes, options_.compression) > limit) {
    return Status(ErrorCode::kMessageTooLarge,
                  (submission.whole_batch ? "batch of " : "record of ") +
                      std::to_string(submission.payload_bytes) +
                      " bytes exceeds the broker's batch limit (" + std::to_string(limit) +
                      " bytes encoded)");
  }
  if (buffered_bytes_ + bytes > options_.buffer_memory_bytes) {
    const auto full = [&](const std::string& how) {
      return Status(ErrorCode::kResourceExhausted,
                    "producer buffer full: " + std::to_string(buffered_bytes_) + " of " +
                        std::to_string(options_.buffer_memory_bytes) +
                        " bytes (buffer_memory_bytes) held by unacknowledged records" + how);
    };
    // A callback waiting for memory would wait for its own thread to free it.
    if (options_.max_block.count() == 0) return full("");
    if (CompletionQueue::InCallback()) return full(" (Send() from a callback does not wait)");
    const bool room = changed_.wait_for(lock, options_.max_block, [&] {
      return buffered_bytes_ + bytes <= options_.buffer_memory_bytes || closing_ || !fatal_.ok();
    });
    if (!fatal_.ok()) return fatal_;
    if (closing_) return Status(ErrorCode::kClosed, "producer is closed");
    if (!room) return full(", still after waiting max_block (" + Millis(options_.max_block) + ")");
  }
  LazyNow now;
  submission.order = next_order_++;
  buffered_bytes_ += bytes;
  Status placed = PlaceOrQueue(accumulator_.GetTopic(topic), submission, now);
  if (!placed.ok()) {
    buffered_bytes_ -= bytes;
    changed_.notify_all();
  }
  return placed;
}

Status ProducerCore::PlaceOrQueue(TopicState& topic, Submission& submission, LazyNow& now) {
  auto queue = [&] {
    if (submission.deadline == Clock::time_point()) {
      submission.deadline = now.Get() + options_.delivery_timeout;
    }
    if (submission.metadata_deadline == Clock::time_point()) {
      submission.metadata_deadline = now.Get() + MetadataWait(options_);
    }
    unfinished_.insert(submission.order);
    topic.waiting.push_back(std::move(submission));
    WakeSender();
  };
  if (topic.metadata.partition_count == 0 || !topic.waiting.empty()) {
    // Behind the submissions already waiting, so that order is kept.
    if (topic.metadata.partition_count == 0) topic.metadata.wanted = true;
    queue();
    return OkStatus();
  }
  PlaceResult placed = accumulator_.Place(topic, submission, BatchLimit(topic), now);
  switch (placed.kind) {
    case PlaceResult::Kind::kFailed:
      return placed.status;
    case PlaceResult::Kind::kWait:
      topic.metadata.wanted = true;
      queue();
      return OkStatus();
    case PlaceResult::Kind::kPlaced:
      if (placed.new_batch) unfinished_.insert(submission.order);
      if (placed.closed_batch) {
        WakeSender();
      } else if (placed.new_batch) {
        const bool at_once = options_.adaptive_linger && placed.partition->Idle();
        const Clock::time_point created = placed.partition->open->created;
        WakeSender(at_once ? created : created + options_.linger);
      }
      return OkStatus();
  }
  return OkStatus();
}

void ProducerCore::DrainWaiting(TopicState& topic, Clock::time_point now_value) {
  LazyNow now(now_value);
  bool placed_any = false;
  while (!topic.waiting.empty() && topic.metadata.partition_count > 0) {
    Submission& submission = topic.waiting.front();
    PlaceResult placed = accumulator_.Place(topic, submission, BatchLimit(topic), now);
    if (placed.kind == PlaceResult::Kind::kWait) {
      topic.metadata.wanted = true;
      break;
    }
    if (placed.kind == PlaceResult::Kind::kFailed) {
      CompleteSubmission(submission, placed.status);
    } else {
      placed_any = true;
      unfinished_.erase(unfinished_.find(submission.order));
      if (placed.new_batch) unfinished_.insert(submission.order);
    }
    topic.waiting.pop_front();
  }
  if (placed_any) WakeSender();
}

uint64_t ProducerCore::BatchLimit(const TopicState& topic) const {
  const uint64_t overhead = kProduceRequestOverhead + topic.name.size();
  uint64_t limit =
      std::min(broker_batch_limit_, frame_limit_ > overhead ? frame_limit_ - overhead : 0);
  if (topic.metadata.max_message_bytes > 0) {
    limit = std::min(limit, topic.metadata.max_message_bytes);
  }
  return limit;
}

void ProducerCore::WakeSender(Clock::time_point due) {
  // A busy sender thread takes wake_due_ into account before it sleeps; a sleeping one is woken
  // only if it would sleep past `due`.
  wake_due_ = std::min(wake_due_, due);
  if (sender_waiting_ && due < sender_wake_at_) {
    sender_wake_at_ = due;
    wake_.notify_one();
  }
}

Status ProducerCore::Flush(std::chrono::milliseconds timeout) {
  if (CompletionQueue::InCallback()) {
    return Status(ErrorCode::kInvalidArgument, "Flush() called from a producer callback");
  }
  Lock lock(mu_);
  const uint64_t target = next_order_;
  ++flushing_;
  WakeSender();
  const bool done = changed_.wait_for(
      lock, timeout, [&] { return unfinished_.empty() || *unfinished_.begin() >= target; });
  --flushing_;
  if (!done) {
    return Status(ErrorCode::kTimeout,
                  "records sent before Flush() still unacknowledged after " + Millis(timeout));
  }
  return OkStatus();
}

Status ProducerCore::Close(std::chrono::milliseconds timeout) {
  if (CompletionQueue::InCallback()) {
    return Status(ErrorCode::kInvalidArgument, "Close() called from a producer callback");
  }
  {
    Lock lock(mu_);
    if (close_called_) return OkStatus();
    close_called_ = true;
    closing_ = true;
    changed_.notify_all();  // Send()s waiting for memory give up
  }
  const Status flushed = Flush(timeout);
  {
    Lock lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (sender_.joinable()) sender_.join();
  // Pending requests fail with kClosed (their callbacks run before Close() returns); then every
  // record not acknowledged yet fails with kClosed.
  if (connection_) connection_->Close();
  {
    Lock lock(mu_);
    FailAll(Status(ErrorCode::kClosed, "producer closed before the record was acknowledged"));
  }
  completions_.Drain();
  completions_.WaitIdle();
  return flushed;
}

}  // namespace choreo::client_internal
