#include "client/saga/step_sender.h"

#include <algorithm>
#include <random>

#include "choreo/client/partitioner.h"
#include "choreo/proto/batch.h"
#include "client/connection.h"
#include "client/producer/init_producer.h"
#include "client/requests.h"
#include "client/wire_status.h"

namespace choreo::saga::internal {

uint64_t StepResult::OutputBytes() const {
  uint64_t bytes = 0;
  for (const StepOutput& o : outputs) {
    bytes += o.record.key.size() + o.record.value.size() + 16;
    for (const Header& h : o.record.headers)
      bytes += h.key.size() + h.value.size() + 4;
  }
  return bytes;
}

struct StepSender::Request {
  proto::Request message;
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
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(result));
  cv_.notify_one();
}

size_t StepSender::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void StepSender::Stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + timeout;
    }
    cv_.notify_one();
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
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
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
      std::lock_guard lock(mu_);
      if (stopping_ && queue_.empty()) return;
      continue;
    }
    Request request;
    Status error;
    if (!Build(results, request, &error)) {
      if (!error.ok()) {
        sink_.Resync(results, error);
        sink_.Fatal(error);
        return;
      }
      continue;
    }
    if (!Send(results, request)) return;
  }
}

bool StepSender::Build(std::vector<StepResult>& results, Request& request, Status* error) {
  std::string member_id;
  int32_t member_epoch = 0;
  std::vector<InputCommit> commits = sink_.Finish(results, &member_id, &member_epoch);
  if (results.empty() && commits.empty()) return false;

  proto::StepCommitRequest* step = request.message.mutable_step_commit();
  step->set_group_id(options_.group_id);
  step->set_member_id(member_id);
  step->set_member_epoch(member_epoch);
  for (const InputCommit& c : commits) {
    auto* offset = step->add_offsets();
    offset->set_topic(c.partition.topic);
    offset->set_partition(c.partition.partition);
    offset->set_offset(c.offset);
    offset->set_metadata(c.metadata);
  }
  // One batch per output partition, records in step order (so per saga in handling order).
  std::map<std::pair<std::string, uint32_t>, proto::RecordList> batches;
  for (const StepResult& r : results) {
    for (const StepOutput& o : r.outputs) {
      Result<uint32_t> partitions = topics_.Partitions(o.topic);
      if (!partitions.ok()) {
        *error = Status(partitions.status().code(),
                        "publishing to '" + o.topic + "': " + partitions.status().message());
        return false;
      }
      const uint32_t partition = DefaultPartitionForKey(o.record.key, *partitions);
      proto::Record* record = batches[{o.topic, partition}].add_records();
      record->set_key(o.record.key);
      record->set_value(o.record.value);
      record->set_timestamp_ms(o.record.timestamp_ms);
      for (const Header& h : o.record.headers) {
        proto::Header* header = record->add_headers();
        header->set_key(h.key);
        header->set_value(h.value);
      }
    }
  }
  for (auto& [where, records] : batches) {
    auto* batch = step->add_batches();
    batch->set_topic(where.first);
    batch->set_partition(where.second);
    const proto::BatchProducerFields producer{.producer_id = producer_id_,
                                              .producer_epoch = producer_epoch_,
                                              .base_sequence = next_sequence_[where]};
    if (!proto::EncodeBatch(records, proto::COMPRESSION_NONE, producer, batch->mutable_batch())) {
      *error =
          Status(ErrorCode::kInvalidArgument, "cannot encode a batch for '" + where.first + "'");
      return false;
    }
    request.records[where] = records.records_size();
  }
  return true;
}

bool StepSender::Send(std::vector<StepResult>& results, Request& request) {
  std::chrono::milliseconds backoff(50);
  static thread_local std::mt19937 jitter(std::random_device{}());
  while (true) {
    Status status = Connect();
    if (status.ok()) {
      status =
          client_internal::Roundtrip(*connection_, request.message, proto::Response::kStepCommit,
                                     options_.client.request_timeout)
              .status();
    }
    if (status.ok()) {
      for (const auto& [where, count] : request.records)
        next_sequence_[where] += count;
      sink_.Acknowledged(results);
      return true;
    }
    const ErrorCode code = status.code();
    if (status.IsRetriable() || code == ErrorCode::kClosed) {
      if (code == ErrorCode::kConnectionFailed || code == ErrorCode::kTimeout ||
          code == ErrorCode::kClosed) {
        connection_.reset();
      }
      {
        std::unique_lock lock(mu_);
        if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) {
          lock.unlock();
          sink_.Resync(results, Status(ErrorCode::kClosed, "stopped before a step was sent"));
          return true;
        }
        const auto wait = std::chrono::milliseconds(static_cast<int64_t>(
            backoff.count() * std::uniform_real_distribution<double>(0.8, 1.2)(jitter)));
        cv_.wait_for(lock, wait, [&] {
          return stopping_ && std::chrono::steady_clock::now() >= stop_deadline_;
        });
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
      std::string member_id;
      int32_t member_epoch = 0;
      sink_.Member(&member_id, &member_epoch);
      request.message.mutable_step_commit()->set_member_id(member_id);
      request.message.mutable_step_commit()->set_member_epoch(member_epoch);
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
