#include <optional>
#include <string>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

absl::StatusOr<storage::Offset> Lookup(storage::LogStore& store,
                                       const proto::ListOffsetsRequest::Partition& p) {
  if (p.spec() == proto::ListOffsetsRequest::TIMESTAMP)
    return store.OffsetForTimestamp(p.topic(), p.partition(), p.timestamp_ms());
  absl::StatusOr<storage::PartitionOffsets> offsets = store.GetOffsets(p.topic(), p.partition());
  if (!offsets.ok()) return offsets.status();
  return p.spec() == proto::ListOffsetsRequest::EARLIEST ? offsets->log_start_offset
                                                         : offsets->high_watermark;
}

proto::ListOffsetsResponse ListOffsets(const BrokerServices& services,
                                       const proto::ListOffsetsRequest& request) {
  proto::ListOffsetsResponse body;
  for (const auto& p : request.partitions()) {
    auto* out = body.add_partitions();
    out->set_topic(p.topic());
    out->set_partition(p.partition());
    out->set_offset(-1);
    switch (p.spec()) {
      case proto::ListOffsetsRequest::LATEST:
      case proto::ListOffsetsRequest::EARLIEST:
      case proto::ListOffsetsRequest::TIMESTAMP:
        break;
      default:  // an enum value from a newer client
        SetError(proto::INVALID_REQUEST, "unknown offset spec " + std::to_string(p.spec()),
                 out->mutable_error());
        continue;
    }
    absl::StatusOr<storage::Offset> offset = Lookup(services.store, p);
    if (!offset.ok()) {
      SetError(offset.status(), out->mutable_error());
      continue;
    }
    out->set_offset(*offset);
  }
  return body;
}

}  // namespace

asio::awaitable<proto::Response> HandleListOffsets(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  const proto::ListOffsetsRequest& list = request.list_offsets();
  proto::Response response;
  *response.mutable_list_offsets() =
      co_await RunBlocking(services.blocking, [&] { return ListOffsets(services, list); });
  co_return response;
}

}  // namespace choreo::broker
