#include "client/saga/step_sender.h"

#include <algorithm>
#include <random>

#include "choreo/client/partitioner.h"
#include "choreo/common/sequence.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/record_wire.h"
#include "client/connection.h"
#include "client/producer/init_producer.h"
#include "client/requests.h"
#include "client/wire_status.h"

namespace choreo::saga::internal {

uint64_t StepResult::OutputBytes() const {
  uint64_t bytes = 0;
  for (const StepOutput& o : outputs)
    bytes += o.encoded.size();
  return bytes;
}

StepOutput StepOutput::FromRecord(std::string topic, const Record& record) {
  StepOutput out{.topic = std::move(topic),
                 .key = record.key,
                 .encoded = {},
                 .timestamp_ms = record.timestamp_ms};
  proto::AppendRecord(record.key, record.value, record.headers, record.timestamp_ms, &out.encoded);
  return out;
}

struct StepSender::Request {
  std::vector<InputCommit> commits;
  std::string member_id;
  int32_t member_epoch = 0;
  // Records per output partition, to advance the sequences once acknowledged.
  std::map<std::pair<std::string, uint32_t>, int32_t> records;
};

StepSender::StepSender(Options options, StepSink& sink, TopicEnsurer& topics)
    : options_(std::move(options)), sink_(sink), topics_(topics) {}

StepSender::~StepSender() {
  Stop(std::chrono::milliseconds(0));
}

Status StepSender::Start() {
  if (Status s = Connect(); !s.ok()) return s;
  thread_ = std::thread([this] { Run(); });
  return OkStatus();
}

void StepSender::Add(StepResult result) {
  MutexLock lock(&mu_);
  queue_.push_back(std::move(result));
  cv_.Signal();
}

size_t StepSender::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

void StepSender::Stop(std::chrono::milliseconds timeout) {
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + timeout;
    }
    cv_.Signal();
  }
  if (thread_.joinable()) thread_.join();
  if (connection_) connection_->Close();
}

Status StepSender::Connect() {
  if (connection_ && connection_->IsOpen()) return OkStatus();
  Result<std::unique_ptr<client_internal::Connection>> connection =
      client_internal::Connection::Open(options_.client);
  if (!connection.ok()) return connection.status();
  // A new producer id the first time; afterwards the same id and epoch, whose sequence state the
  // broker keeps, so a resent request is recognised.
  Result<client_internal::ProducerIdentity> identity = client_internal::InitProducer(
      **connection, {producer_id_, producer_epoch_}, options_.client.request_timeout);
  if (!identity.ok()) return identity.status();
  producer_id_ = identity->id;
  producer_epoch_ = identity->epoch;
  connection_ = std::move(connection).value();
  return OkStatus();
}

Status StepSender::BumpEpoch() {
  if (Status s = Connect(); !s.ok()) return s;
  proto::Request request;
  proto::InitProducerRequest* init = request.mutable_init_producer();
  init->set_producer_id(producer_id_);
  init->set_producer_epoch(producer_epoch_);
  init->set_bump_epoch(true);
  Result<proto::Response> response =
      client_internal::Roundtrip(*connection_, std::move(request), proto::Response::kInitProducer,
                                 options_.client.request_timeout);
  if (!response.ok()) {
    // Fenced or forgotten: start over with a new producer id.
    producer_id_ = -1;
    producer_epoch_ = 0;
    connection_.reset();
    next_sequence_.clear();
    return Connect();
  }
  producer_epoch_ = response->init_producer().producer_epoch();
  next_sequence_.clear();
  return OkStatus();
}

std::vector<StepResult> StepSender::Take() {
  MutexLock lock(&mu_);
  while (!stopping_ && queue_.empty())
    cv_.Wait(&mu_);
  std::vector<StepResult> taken;
  uint64_t bytes = 0;
  size_t n = 0;
  while (n < queue_.size()) {
    const uint64_t size = queue_[n].OutputBytes();
    if (n > 0 && bytes + size > options_.max_request_bytes) break;
    bytes += size;
    ++n;
  }
  taken.assign(std::make_move_iterator(queue_.begin()),
               std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  return taken;
}

void StepSender::Run() {
  while (true) {
    std::vector<StepResult> results = Take();
    if (results.empty()) {
      MutexLock lock(&mu_);
      if (stopping_ && queue_.empty()) return;
      continue;
    }
    Request request;
    if (!Build(results, request)) continue;
    if (!Send(results, request)) return;
  }
}

bool StepSender::Build(std::vector<StepResult>& results, Request& request) {
  request.commits = sink_.Finish(results, &request.member_id, &request.member_epoch);
  return !results.empty() || !request.commits.empty();
}

Result<proto::Request> StepSender::Encode(const std::vector<StepResult>& results,
                                          Request& request) {
  proto::Request message;
  proto::StepCommitRequest* step = message.mutable_step_commit();
  step->set_group_id(options_.group_id);
  step->set_member_id(request.member_id);
  step->set_member_epoch(request.member_epoch);
  for (const InputCommit& c : request.commits) {
    auto* offset = step->add_offsets();
    offset->set_topic(c.partition.topic);
    offset->set_partition(c.partition.partition);
    offset->set_offset(c.offset);
    offset->set_metadata(c.metadata);
  }
  // One payload per output partition, records in step order (so per saga in handling order).
  struct Payload {
    std::string bytes;
    uint32_t records = 0;
    int64_t first_timestamp_ms = 0;
    int64_t max_timestamp_ms = 0;
  };
  std::map<std::pair<std::string_view, uint32_t>, Payload> payloads;
  std::string_view last_topic;
  uint32_t last_count = 0;
  for (const StepResult& r : results) {
    for (const StepOutput& o : r.outputs) {
      if (last_count == 0 || o.topic != last_topic) {
        Result<uint32_t> partitions = topics_.Partitions(o.topic);
        if (!partitions.ok()) {
          return Status(partitions.status().code(),
                        "publishing to '" + o.topic + "': " + partitions.status().message());
        }
        last_topic = o.topic;
        last_count = *partitions;
      }
      Payload& p = payloads[{o.topic, DefaultPartitionForKey(o.key, last_count)}];
      if (p.records++ == 0) p.first_timestamp_ms = o.timestamp_ms;
      p.max_timestamp_ms = std::max(p.max_timestamp_ms, o.timestamp_ms);
      p.bytes += o.encoded;
    }
  }
  request.records.clear();
  for (auto& [where, payload] : payloads) {
    std::pair<std::string, uint32_t> key{std::string(where.first), where.second};
    auto* batch = step->add_batches();
    batch->set_topic(key.first);
    batch->set_partition(key.second);
    const proto::BatchProducerFields producer{.producer_id = producer_id_,
                                              .producer_epoch = producer_epoch_,
                                              .base_sequence = next_sequence_[key]};
    if (!proto::EncodeBatchFromPayload(std::move(payload.bytes), payload.records,
                                       payload.first_timestamp_ms, payload.max_timestamp_ms,
                                       proto::COMPRESSION_NONE, producer, batch->mutable_batch())) {
      return Status(ErrorCode::kInvalidArgument, "cannot encode a batch for '" + key.first + "'");
    }
    request.records[std::move(key)] = static_cast<int32_t>(payload.records);
  }
  return message;
}

bool StepSender::Send(std::vector<StepResult>& results, Request& request) {
  std::chrono::milliseconds backoff(50);
  static thread_local std::mt19937 jitter(std::random_device{}());
  while (true) {
    Status status = Connect();
    if (status.ok()) {
      Result<proto::Request> message = Encode(results, request);
      if (!message.ok()) {
        sink_.Resync(results, message.status());
        sink_.Fatal(message.status());
        return false;
      }
      status =
          client_internal::Roundtrip(*connection_, std::move(message).value(),
                                     proto::Response::kStepCommit, options_.client.request_timeout)
              .status();
    }
    if (status.ok()) {
      bool renew_epoch = false;
      for (const auto& [where, count] : request.records) {
        int32_t& next = next_sequence_[where];
        // The broker would accept the wrap, but renewing long before it keeps sequences small;
        // wrapping here only keeps a failed renewal from overflowing.
        next = AddSequence(next, count);
        renew_epoch |= next > options_.renew_epoch_after_sequence;
      }
      sink_.Acknowledged(results);
      // Sequences are int32 and never wrap inside an epoch: long before they would, start a new
      // epoch (sequences restart at 0). Nothing is in flight now, so nothing is fenced by it.
      if (renew_epoch) {
        if (BumpEpoch().ok()) {
          ++epochs_renewed_;
        } else {
          connection_.reset();  // tried again after the next acknowledgement
        }
      }
      return true;
    }
    const ErrorCode code = status.code();
    if (status.IsRetriable() || code == ErrorCode::kClosed) {
      if (code == ErrorCode::kConnectionFailed || code == ErrorCode::kTimeout ||
          code == ErrorCode::kClosed) {
        connection_.reset();
      }
      bool stopped = false;
      {
        MutexLock lock(&mu_);
        stopped = stopping_ && std::chrono::steady_clock::now() >= stop_deadline_;
        const auto until =
            std::chrono::steady_clock::now() +
            std::chrono::milliseconds(static_cast<int64_t>(
                backoff.count() * std::uniform_real_distribution<double>(0.8, 1.2)(jitter)));
        // Backs off until `until`, or until Stop()'s deadline has passed (then the next attempt
        // is the last one).
        while (!stopped && !(stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) &&
               cv_.WaitUntil(&mu_, until)) {
        }
      }
      if (stopped) {
        sink_.Resync(results, Status(ErrorCode::kClosed, "stopped before a step was sent"));
        return true;
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
      sink_.Member(&request.member_id, &request.member_epoch);
      continue;
    }
    switch (code) {
      case ErrorCode::kIllegalGeneration:
      case ErrorCode::kUnknownMemberId:
      case ErrorCode::kOutOfOrderSequence:
      case ErrorCode::kDuplicateSequence:
      case ErrorCode::kProducerFenced:
      case ErrorCode::kUnknownProducerId: {
        // Not applied, or unknown after a resend: restart the sequences under a new epoch and
        // let the service reload its partitions from what the broker has committed.
        Status bumped = BumpEpoch();
        sink_.Resync(results, status);
        if (!bumped.ok()) connection_.reset();
        return true;
      }
      default:
        sink_.Resync(results, status);
        sink_.Fatal(Status(code, "step commit failed: " + status.message()));
        return false;
    }
  }
}

}  // namespace choreo::saga::internal
