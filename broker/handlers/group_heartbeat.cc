// ConsumerGroupHeartbeat: join, heartbeat and leave, answered from the coordinator's memory
// without storage I/O, so it runs on the session strand.
#include <absl/time/clock.h>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/group/group_proto.h"
#include "broker/handlers/handlers.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleGroupHeartbeat(RequestContext& ctx,
                                                      proto::Request& request) {
  const proto::ConsumerGroupHeartbeatRequest& heartbeat = request.group_heartbeat();
  absl::StatusOr<HeartbeatOutput> out = ctx.services.groups.Heartbeat(
      heartbeat.group_id(), HeartbeatInputFromProto(heartbeat), absl::Now());
  proto::Response response;
  if (!out.ok()) {
    SetError(out.status(), response.mutable_error());
    co_return response;
  }
  HeartbeatOutputToProto(*out, response.mutable_group_heartbeat());
  co_return response;
}

}  // namespace choreo::broker
