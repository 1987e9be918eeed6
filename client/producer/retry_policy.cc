#include "client/producer/retry_policy.h"

#include <algorithm>
#include <random>

#include "client/wire_status.h"

namespace choreo::client_internal {

ProduceOutcome ClassifyProduce(const Result<proto::Response>& response) {
  using Kind = ProduceOutcome::Kind;
  if (!response.ok()) {
    const Status& status = response.status();
    if (status.code() == ErrorCode::kMessageTooLarge) return {Kind::kFailed, status};
    return {Kind::kTransport, status};
  }
  Result<proto::Response> checked = CheckResponse(response, proto::Response::kProduce);
  if (checked.ok()) {
    return {Kind::kAppended, OkStatus(), checked->produce().base_offset()};
  }
  const Status& status = checked.status();
  switch (status.code()) {
    case ErrorCode::kDuplicateSequence:
      return {Kind::kAppended, OkStatus(), -1};
    case ErrorCode::kOutOfOrderSequence:
      return {Kind::kOutOfOrder, status};
    case ErrorCode::kProducerFenced:
    case ErrorCode::kUnknownProducerId:
      return {Kind::kFatal, status};
    case ErrorCode::kUnknownTopic:
    case ErrorCode::kInvalidPartition:
      return {Kind::kMetadata, status};
    case ErrorCode::kProtocolError:  // the broker answered with another body
      return {Kind::kTransport, status};
    default:
      return {status.IsRetriable() ? Kind::kRetriable : Kind::kFailed, status};
  }
}

std::chrono::milliseconds Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                  uint32_t failures) {
  double wait = static_cast<double>(base.count());
  for (uint32_t i = 1; i < failures && wait < static_cast<double>(max.count()); ++i)
    wait *= 2;
  wait = std::min(wait, static_cast<double>(max.count()));
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return std::chrono::milliseconds(static_cast<int64_t>(wait * jitter(random)));
}

}  // namespace choreo::client_internal
