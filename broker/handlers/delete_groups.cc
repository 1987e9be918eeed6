// DeleteGroups: forgets a group's committed offsets, only while it has no members. A member that
// joins right after the check starts from its reset policy, as in a new group.
#include <absl/time/clock.h>

#include <algorithm>
#include <string>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

// Blocking: the store part of deleting a group without members.
absl::Status DeleteOffsets(storage::LogStore& store, const std::string& group, bool* existed) {
  absl::StatusOr<std::vector<std::string>> groups = store.ListGroupsWithOffsets();
  if (!groups.ok()) return groups.status();
  *existed = std::find(groups->begin(), groups->end(), group) != groups->end();
  if (!*existed) return absl::OkStatus();
  return store.DeleteGroupOffsets(group);
}

}  // namespace

asio::awaitable<proto::Response> HandleDeleteGroups(RequestContext& ctx, proto::Request& request) {
  BrokerServices& services = ctx.services;
  proto::Response response;
  proto::DeleteGroupsResponse* body = response.mutable_delete_groups();
  for (const std::string& id : request.delete_groups().group_ids()) {
    auto* result = body->add_results();
    result->set_group_id(id);
    if (absl::Status deletable = services.groups.CheckDeletable(id, absl::Now()); !deletable.ok()) {
      SetError(deletable, result->mutable_error());
      continue;
    }
    bool existed = false;
    const absl::Status deleted = co_await RunBlocking(
        services.blocking, [&] { return DeleteOffsets(services.store, id, &existed); });
    if (!deleted.ok()) {
      SetError(deleted, result->mutable_error());
    } else if (!existed) {
      SetError(proto::UNKNOWN_GROUP, "group '" + id + "' does not exist", result->mutable_error());
    }
  }
  co_return response;
}

}  // namespace choreo::broker
