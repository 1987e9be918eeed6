// StepCommit (protocol 1.1): a group member's output batches and the commit of its input offsets
// in one durable write (LogStore::AppendStep). Every check runs before anything is written, and
// any failure rejects the whole step with the request-level error (the contract is the comment on
// StepCommitRequest in proto/choreo.proto).
//
// The fencing check and the write are not one atomic action: a member that passes the check may
// lose its partitions (a heartbeat that revokes them, or its session expiring) before the step is
// written, exactly as for OffsetCommit. The window is one group commit long.
#include <absl/container/flat_hash_set.h>
#include <absl/time/clock.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/authorize.h"
#include "broker/handlers/batch_check.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/handlers/timestamp_policy.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// What the metrics need of an appended batch.
struct BatchStats {
  storage::TopicId topic_id{};
  uint64_t bytes = 0;
  uint32_t records = 0;
};

// Fencing: the member is current and holds every partition whose offset the step commits. The
// first error, or OK.
absl::Status CheckMember(BrokerServices& services, const proto::StepCommitRequest& step) {
  std::vector<GroupPartition> partitions;
  partitions.reserve(step.offsets_size());
  for (const auto& p : step.offsets())
    partitions.push_back(GroupPartition{p.topic(), p.partition()});
  std::vector<absl::Status> fenced;
  absl::Status accepted = services.groups.CheckCommit(
      step.group_id(), step.member_id(), step.member_epoch(), partitions, absl::Now(), &fenced);
  if (!accepted.ok()) return accepted;
  for (const absl::Status& partition : fenced) {
    if (!partition.ok()) return partition;
  }
  return absl::OkStatus();
}

// Checks the batches (valid, idempotent, at most one per partition) and moves them into
// `appends`. Returns NONE or the code to answer, with `*message` set.
proto::ErrorCode TakeBatches(const BrokerServices& services, const std::string& principal,
                             proto::StepCommitRequest& step, storage::StepAppends* appends,
                             std::vector<BatchStats>* stats, std::string* message) {
  absl::flat_hash_set<std::pair<std::string, uint32_t>> partitions;
  for (proto::StepCommitRequest::Batch& batch : *step.mutable_batches()) {
    std::optional<storage::TopicInfo> topic = services.topics.Find(batch.topic());
    storage::BatchFields fields;
    proto::ErrorCode code = CheckBatch(services.options, topic, batch.topic(), batch.partition(),
                                       batch.batch(), &fields, message, &services.schemas);
    if (code != proto::NONE) return code;
    code = ApplyTimestampPolicy(services.options, *topic, absl::ToUnixMillis(absl::Now()),
                                batch.mutable_batch(), &fields, message);
    if (code != proto::NONE) return code;
    code = CheckProducerOwner(services.security, principal, fields.producer_id, message);
    if (code != proto::NONE) return code;
    if (fields.producer_id < 0) {
      *message = "a step's batches must be idempotent (carry a producer id); the batch for '" +
                 batch.topic() + "' partition " + std::to_string(batch.partition()) + " has none";
      return proto::INVALID_REQUEST;
    }
    if (!partitions.emplace(batch.topic(), batch.partition()).second) {
      *message = "a step may append at most one batch per partition; '" + batch.topic() +
                 "' partition " + std::to_string(batch.partition()) + " has several";
      return proto::INVALID_REQUEST;
    }
    stats->push_back({topic->id, batch.batch().size(), fields.record_count});
    appends->batches.push_back(storage::StepBatch{.topic = batch.topic(),
                                                  .partition = batch.partition(),
                                                  .batch = std::move(*batch.mutable_batch()),
                                                  .fields = fields});
  }
  return proto::NONE;
}

}  // namespace

asio::awaitable<proto::Response> HandleStepCommit(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  proto::StepCommitRequest& step = *request.mutable_step_commit();
  proto::Response response;
  if (step.member_id().empty()) {
    SetError(proto::INVALID_REQUEST, "a step needs the member id of a group member",
             response.mutable_error());
    co_return response;
  }
  if (absl::Status member = CheckMember(services, step); !member.ok()) {
    SetError(member, response.mutable_error());
    co_return response;
  }
  storage::StepAppends appends;
  std::vector<BatchStats> stats;
  std::string message;
  if (proto::ErrorCode code =
          TakeBatches(services, ctx.connection.principal(), step, &appends, &stats, &message);
      code != proto::NONE) {
    SetError(code, message, response.mutable_error());
    co_return response;
  }
  appends.group = step.group_id();
  for (const auto& p : step.offsets()) {
    appends.offsets.push_back(
        storage::GroupOffset{p.topic(), p.partition(), p.offset(), p.metadata()});
  }

  storage::LogStore& store = services.store;
  const auto append_start = std::chrono::steady_clock::now();
  absl::StatusOr<storage::StepResult> written =
      co_await AwaitCallback<absl::StatusOr<storage::StepResult>>(
          [&](auto done) { store.AppendStep(std::move(appends), std::move(done)); });
  services.metrics.append_seconds().Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - append_start).count());
  if (!written.ok()) {
    SetError(written.status(), response.mutable_error());
    co_return response;
  }
  proto::StepCommitResponse* body = response.mutable_step_commit();
  for (size_t i = 0; i < written->batches.size(); ++i) {
    const proto::StepCommitRequest::Batch& batch = step.batches(static_cast<int>(i));
    const storage::AppendResult& appended = written->batches[i];
    proto::StepCommitResponse::Batch* out = body->add_batches();
    out->set_topic(batch.topic());
    out->set_partition(batch.partition());
    out->set_base_offset(appended.base_offset);
    out->set_duplicate(appended.duplicate);
    if (appended.duplicate) continue;
    services.metrics.produce_batch_bytes().Observe(static_cast<double>(stats[i].bytes));
    services.metrics.partitions()
        .Get(stats[i].topic_id, batch.partition())
        ->Produced(stats[i].bytes, stats[i].records);
  }
  co_return response;
}

}  // namespace choreo::broker
