// Produce and metadata responses, on the connection's I/O thread (or inline on the sender thread
// when the connection rejects a request at once).
#include <string>
#include <utility>

#include "client/producer/producer_core.h"
#include "client/producer/retry_policy.h"
#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

std::string Describe(const ProducerBatch& batch) {
  return "topic '" + batch.topic + "' partition " + std::to_string(batch.partition) +
         " (batch with base sequence " + std::to_string(batch.base_sequence) + ")";
}

Status FatalStatus(const ProducerBatch& batch, const ProduceOutcome& outcome) {
  if (outcome.status.code() == ErrorCode::kOutOfOrderSequence) {
    return Status(
        ErrorCode::kOutOfOrderSequence,
        "the broker is missing records it acknowledged before " + Describe(batch) +
            ", so the producer cannot continue without reordering: " + outcome.status.message());
  }
  return Status(outcome.status.code(),
                "producing to " + Describe(batch) + ": " + outcome.status.message());
}

// What a metadata answer says about one topic.
struct MetadataAnswer {
  enum class Kind { kFound, kUnknownTopic, kRetriable, kTransport } kind = Kind::kRetriable;
  Status status;
  uint32_t partition_count = 0;
  uint64_t max_message_bytes = 0;
};

MetadataAnswer ReadMetadata(const std::string& topic, Result<proto::Response> response) {
  using Kind = MetadataAnswer::Kind;
  if (!response.ok()) return {Kind::kTransport, response.status()};
  Result<proto::Response> checked = CheckResponse(std::move(response), proto::Response::kMetadata);
  if (!checked.ok()) {
    const bool transport = checked.status().code() == ErrorCode::kProtocolError;
    return {transport ? Kind::kTransport : Kind::kRetriable, checked.status()};
  }
  const Status unknown(ErrorCode::kUnknownTopic, "topic '" + topic + "' does not exist");
  for (const proto::TopicMetadata& metadata : checked->metadata().topics()) {
    if (metadata.name() != topic) continue;
    Status error = FromProtoError(metadata.error());
    if (error.code() == ErrorCode::kUnknownTopic) return {Kind::kUnknownTopic, unknown};
    // An ACL denies this producer the topic: as final for its records as a missing topic.
    if (error.code() == ErrorCode::kAuthorizationFailed) return {Kind::kUnknownTopic, error};
    if (!error.ok()) return {Kind::kRetriable, error};
    uint32_t count = metadata.config().partitions();
    if (count == 0) count = static_cast<uint32_t>(metadata.partitions_size());
    if (count == 0) {
      return {Kind::kRetriable,
              Status(ErrorCode::kUnknown, "topic '" + topic + "' has no partitions")};
    }
    return {Kind::kFound, OkStatus(), count, metadata.config().max_message_bytes()};
  }
  return {Kind::kUnknownTopic, unknown};
}

}  // namespace

void ProducerCore::OnProduceResponse(const BatchPtr& batch, uint64_t generation,
                                     Result<proto::Response> response) {
  const ProduceOutcome outcome = ClassifyProduce(response);
  {
    Lock lock(mu_);
    const Clock::time_point now = Clock::now();
    TopicState* topic = accumulator_.FindTopic(batch->topic);
    if (topic == nullptr || batch->partition >= topic->partitions.size()) return;  // not ours
    PartitionState& partition = *topic->partitions[batch->partition];
    const Clock::time_point retry_at =
        now + Backoff(options_.retry_backoff, options_.retry_backoff_max,
                      partition.window.consecutive_errors + 1);
    const WindowAction action = partition.window.OnOutcome(*batch, outcome, now, retry_at);
    if (outcome.kind == ProduceOutcome::Kind::kAppended) reconnect_failures_ = 0;
    switch (action) {
      case WindowAction::kNone:
        break;
      case WindowAction::kReconnect:
        // Only the first failure seen on the current connection breaks it; the rest are the
        // echo of that loss (or of an older connection).
        if (generation == generation_ && !connection_broken_ && !stopping_) BreakConnection(now);
        break;
      case WindowAction::kRefreshMetadata:
        topic->metadata.wanted = true;
        break;
      case WindowAction::kFatal:
        SetFatal(FatalStatus(*batch, outcome));
        break;
    }
    CompletePopped(partition);
    WakeSender();
  }
  completions_.Drain();
}

void ProducerCore::OnMetadataResponse(const std::string& topic_name, uint64_t generation,
                                      Result<proto::Response> response) {
  using Kind = MetadataAnswer::Kind;
  const MetadataAnswer answer = ReadMetadata(topic_name, std::move(response));
  {
    Lock lock(mu_);
    const Clock::time_point now = Clock::now();
    TopicState& topic = accumulator_.GetTopic(topic_name);
    topic.metadata.in_flight = false;
    if (fatal_.ok()) {
      switch (answer.kind) {
        case Kind::kTransport:
          topic.metadata.wanted = true;
          if (generation == generation_ && !connection_broken_ && !stopping_) {
            BreakConnection(now);
          }
          break;
        case Kind::kRetriable:
          topic.metadata.wanted = true;
          topic.metadata.not_before =
              now + Backoff(options_.retry_backoff, options_.retry_backoff_max,
                            ++topic.metadata.failures);
          break;
        case Kind::kUnknownTopic:
          TopicUnknown(topic, answer.status, now);
          break;
        case Kind::kFound:
          reconnect_failures_ = 0;
          ApplyMetadata(topic, answer.partition_count, answer.max_message_bytes, now);
          break;
      }
    }
    WakeSender();
  }
  completions_.Drain();
}

void ProducerCore::TopicUnknown(TopicState& topic, const Status& status, Clock::time_point now) {
  for (Submission& submission : topic.waiting)
    CompleteSubmission(submission, status);
  topic.waiting.clear();
  for (auto& partition : topic.partitions)
    FailPartition(*partition, status, now);
  // Forget the partition count: the next record for the topic checks again (it may be created).
  topic.metadata = TopicMetadataState{};
  topic.sticky_batch = 0;
}

void ProducerCore::ApplyMetadata(TopicState& topic, uint32_t partition_count,
                                 uint64_t max_message_bytes, Clock::time_point now) {
  TopicMetadataState& metadata = topic.metadata;
  metadata.partition_count = partition_count;
  metadata.max_message_bytes = max_message_bytes;
  metadata.fetched_at = now;
  metadata.failures = 0;
  accumulator_.EnsurePartitions(topic, partition_count);
  for (uint32_t p = 0; p < topic.partitions.size(); ++p) {
    PartitionState& partition = *topic.partitions[p];
    if (!partition.window.awaiting_metadata) continue;
    if (p < partition_count) {
      partition.window.awaiting_metadata = false;  // the partition exists: resend
    } else {
      FailPartition(partition,
                    Status(ErrorCode::kInvalidPartition,
                           "topic '" + topic.name + "' has " + std::to_string(partition_count) +
                               " partitions; partition " + std::to_string(p) + " is invalid"),
                    now);
    }
  }
  DrainWaiting(topic, now);
}

}  // namespace choreo::client_internal
