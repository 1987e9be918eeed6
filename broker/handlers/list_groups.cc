// ListGroups: groups with members (from the coordinator) and groups that only have committed
// offsets (from the store, state "empty").
#include <absl/time/clock.h>

#include <map>
#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleListGroups(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  absl::StatusOr<std::vector<std::string>> stored = co_await RunBlocking(
      services.blocking, [&] { return services.store.ListGroupsWithOffsets(); });
  proto::Response response;
  if (!stored.ok()) {
    SetError(stored.status(), response.mutable_error());
    co_return response;
  }
  std::map<std::string, GroupSummary> groups;
  for (std::string& id : *stored)
    groups[id] = GroupSummary{id, kStateEmpty, 0};
  for (GroupSummary& live : services.groups.List(absl::Now()))
    groups[live.group_id] = std::move(live);
  proto::ListGroupsResponse* body = response.mutable_list_groups();
  for (const auto& [id, group] : groups) {
    auto* out = body->add_groups();
    out->set_group_id(id);
    out->set_state(group.state);
    out->set_members(group.members);
  }
  co_return response;
}

}  // namespace choreo::broker
