// FindCoordinator 0-2, JoinGroup 0-5, SyncGroup 0-3, Heartbeat 0-3, LeaveGroup 0-3,
// ListGroups 0-2, DescribeGroups 0-4: Kafka's classic group protocol on the broker's coordinator
// (see group_handlers.h and broker/group/classic_group.h).
#include <absl/time/clock.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/group/coordinator.h"
#include "broker/group/group_log.h"
#include "broker/handlers/authorize.h"
#include "broker/kafka/handlers/group_handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/run_blocking.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {
namespace {

using namespace classic_error;  // NOLINT(build/namespaces)

// A response that the group delivers later (a JoinGroup behind the barrier, a SyncGroup before
// the leader's): set from any thread under the coordinator's lock, read on the handler's strand.
template <typename T>
class PendingResponse {
 public:
  explicit PendingResponse(asio::any_io_executor strand)
      : waiter_(std::make_shared<Waiter>(std::move(strand))) {}

  void Set(T value) CHOREO_EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      value_ = std::move(value);
    }
    waiter_->Wake();
  }
  std::optional<T> Take() CHOREO_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return std::exchange(value_, std::nullopt);
  }
  const std::shared_ptr<Waiter>& waiter() const { return waiter_; }

 private:
  const std::shared_ptr<Waiter> waiter_;
  Mutex mu_;
  std::optional<T> value_ CHOREO_GUARDED_BY(mu_);
};

// The group's callback for `pending`. It holds it weakly: once the handler is done (its connection
// closed while it waited), a late answer is dropped, and the waiter (whose timer belongs to the
// io_context) dies with the handler, never with the coordinator.
template <typename T>
std::function<void(T)> Deliver(const std::shared_ptr<PendingResponse<T>>& pending) {
  return [weak = std::weak_ptr<PendingResponse<T>>(pending)](T response) {
    if (std::shared_ptr<PendingResponse<T>> alive = weak.lock()) alive->Set(std::move(response));
  };
}

// Waits for `pending`, waking at the group's next deadline (at least once a second, in case a
// deadline moved earlier) to apply it: a member's session expiry or the rebalance timeout may be
// what completes the wait. A closing connection ends the wait with `closing`.
template <typename T>
asio::awaitable<T> AwaitGroup(KafkaCall& call, const std::string& group_id,
                              std::shared_ptr<PendingResponse<T>> pending, T closing) {
  ParkGuard park(call.ctx.connection, pending->waiter());
  ClassicGroupCoordinator& groups = call.ctx.services.groups.classic();
  while (true) {
    pending->waiter()->Rearm();
    if (std::optional<T> value = pending->Take()) co_return *std::move(value);
    if (call.ctx.connection.closing()) co_return closing;
    const absl::Time now = absl::Now();
    const std::optional<absl::Time> next = groups.Tick(group_id, now);
    absl::Duration wait = absl::Seconds(1);
    if (next) wait = std::clamp(*next - now, absl::ZeroDuration(), wait);
    co_await pending->waiter()->WaitUntil(std::chrono::steady_clock::now() +
                                          absl::ToChronoNanoseconds(wait));
  }
}

std::string ClientId(const KafkaCall& call) {
  return call.request.header.client_id.value_or("");
}

void SetInstanceId(kafka::Struct& out, const std::string& instance_id) {
  if (instance_id.empty()) {
    out.SetNull("group_instance_id");
  } else {
    out.SetString("group_instance_id", instance_id);
  }
}

kafka::Struct JoinResponse(const KafkaCall& call, const ClassicJoinResponse& join) {
  kafka::Struct response = call.NewResponse();
  response.SetInt("error_code", join.error);
  response.SetInt("generation_id", join.generation);
  response.SetString("protocol_name", join.protocol_name);
  response.SetString("leader", join.leader);
  response.SetString("member_id", join.member_id);
  for (const ClassicJoinMember& m : join.members) {
    kafka::Struct& member = response.AddStruct("members");
    member.SetString("member_id", m.member_id);
    SetInstanceId(member, m.instance_id);
    member.SetString("metadata", m.metadata);
  }
  return response;
}

kafka::Struct ErrorOnly(const KafkaCall& call, int16_t error) {
  kafka::Struct response = call.NewResponse();
  response.SetInt("error_code", error);
  return response;
}

}  // namespace

std::optional<int16_t> CheckKafkaGroupAccess(KafkaCall& call, KafkaGroupAccess access,
                                             std::string_view group_id) {
  const AclOperation operation =
      access == KafkaGroupAccess::kRead ? AclOperation::kRead : AclOperation::kDescribe;
  if (CheckGroup(call.ctx, operation, std::string(group_id))) {
    return kafka_error::kGroupAuthorizationFailed;
  }
  return std::nullopt;
}

std::optional<int16_t> CheckKafkaCommitTopic(KafkaCall& call, std::string_view topic) {
  if (CheckTopic(call.ctx, AclOperation::kRead, std::string(topic))) {
    return kafka_error::kTopicAuthorizationFailed;
  }
  return std::nullopt;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaFindCoordinator(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  kafka::Struct response = call.NewResponse();
  response.SetInt("node_id", -1);
  response.SetString("host", "");
  response.SetInt("port", -1);
  if (request.GetInt("key_type") != 0) {
    response.SetInt("error_code", kCoordinatorNotAvailable);
    response.SetString("error_message", "transactions are not supported");
    co_return response;
  }
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kDescribe, request.GetString("key"))) {
    response.SetInt("error_code", *denied);
    co_return response;
  }
  if (int16_t error = ClassicGroupCoordinator::ValidateGroupId(request.GetString("key"));
      error != kNone) {
    response.SetInt("error_code", error);
    response.SetString("error_message", "a group id must have 1 to 255 bytes");
    co_return response;
  }
  // One node: this broker coordinates every group.
  response.SetInt("error_code", kNone);
  response.SetInt("node_id", 0);
  response.SetString("host", call.advertised_host);
  response.SetInt("port", call.advertised_port);
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaJoinGroup(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kRead, group_id)) {
    co_return JoinResponse(call, ClassicJoinError(*denied));
  }
  ClassicJoinRequest join;
  join.member_id = request.GetString("member_id");
  if (!request.IsNull("group_instance_id"))
    join.instance_id = request.GetString("group_instance_id");
  join.client_id = ClientId(call);
  join.client_host = call.ctx.connection.peer();
  join.protocol_type = request.GetString("protocol_type");
  for (const kafka::Struct& p : request.GetStructs("protocols"))
    join.protocols.push_back({p.GetString("name"), p.GetString("metadata")});
  join.session_timeout = absl::Milliseconds(request.GetInt("session_timeout_ms"));
  join.rebalance_timeout = absl::Milliseconds(request.GetInt("rebalance_timeout_ms"));
  join.require_known_member_id = call.version() >= 4;
  const std::string asked_member = join.member_id;

  auto pending = std::make_shared<PendingResponse<ClassicJoinResponse>>(call.ctx.executor);
  std::optional<ClassicJoinResponse> answer = call.ctx.services.groups.classic().Join(
      group_id, std::move(join), absl::Now(), Deliver<ClassicJoinResponse>(pending));
  if (!answer) {
    answer = co_await AwaitGroup(call, group_id, pending, ClassicJoinError(kRebalanceInProgress));
  }
  if (answer->error == kInconsistentGroupProtocol) {
    GroupLog().info(
        "kafka group {}: join refused (INCONSISTENT_GROUP_PROTOCOL): no protocol (type) in common "
        "with the members, or the group has choreo (native) members",
        group_id);
  } else if (answer->error == kNone && answer->member_id == answer->leader) {
    GroupLog().info("kafka group {}: generation {} with {} members, leader {}, protocol {}",
                    group_id, answer->generation, answer->members.size(), answer->leader,
                    answer->protocol_name);
  }
  if (answer->member_id.empty()) answer->member_id = asked_member;
  co_return JoinResponse(call, *answer);
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaSyncGroup(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  kafka::Struct response = call.NewResponse();
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kRead, group_id)) {
    response.SetInt("error_code", *denied);
    co_return response;
  }
  std::map<std::string, std::string> assignments;
  for (const kafka::Struct& a : request.GetStructs("assignments"))
    assignments.emplace(a.GetString("member_id"), a.GetString("assignment"));
  const std::string instance_id =
      request.IsNull("group_instance_id") ? "" : request.GetString("group_instance_id");
  auto pending = std::make_shared<PendingResponse<ClassicSyncResponse>>(call.ctx.executor);
  std::optional<ClassicSyncResponse> answer = call.ctx.services.groups.classic().Sync(
      group_id, static_cast<int32_t>(request.GetInt("generation_id")),
      request.GetString("member_id"), instance_id, assignments, absl::Now(),
      Deliver<ClassicSyncResponse>(pending));
  if (!answer) {
    answer = co_await AwaitGroup(call, group_id, pending, ClassicSyncResult(kRebalanceInProgress));
  }
  response.SetInt("error_code", answer->error);
  response.SetString("assignment", answer->assignment);
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaHeartbeat(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kRead, group_id)) {
    co_return ErrorOnly(call, *denied);
  }
  const std::string instance_id =
      request.IsNull("group_instance_id") ? "" : request.GetString("group_instance_id");
  co_return ErrorOnly(call, call.ctx.services.groups.classic().Heartbeat(
                                group_id, static_cast<int32_t>(request.GetInt("generation_id")),
                                request.GetString("member_id"), instance_id, absl::Now()));
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaLeaveGroup(KafkaCall& call) {
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kRead, group_id)) {
    co_return ErrorOnly(call, *denied);
  }
  std::vector<std::pair<std::string, std::string>> members;
  if (call.version() < 3) {
    members.emplace_back(request.GetString("member_id"), "");
  } else {
    for (const kafka::Struct& m : request.GetStructs("members")) {
      members.emplace_back(m.GetString("member_id"),
                           m.IsNull("group_instance_id") ? "" : m.GetString("group_instance_id"));
    }
  }
  const std::vector<int16_t> errors =
      call.ctx.services.groups.classic().Leave(group_id, members, absl::Now());
  kafka::Struct response = call.NewResponse();
  if (call.version() < 3) {
    response.SetInt("error_code", errors.empty() ? kNone : errors[0]);
    co_return response;
  }
  response.SetInt("error_code", kNone);
  for (size_t i = 0; i < members.size(); ++i) {
    kafka::Struct& out = response.AddStruct("members");
    out.SetString("member_id", members[i].first);
    SetInstanceId(out, members[i].second);
    out.SetInt("error_code", errors[i]);
  }
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaListGroups(KafkaCall& call) {
  BrokerServices& services = call.ctx.services;
  const absl::Time now = absl::Now();
  // Kafka groups, choreo groups with members (protocol type "choreo"), and groups that have only
  // committed offsets (protocol type "", as Kafka lists a group with no members).
  std::map<std::string, std::string> groups;
  absl::StatusOr<std::vector<std::string>> stored = co_await RunBlocking(
      services.blocking, [&services] { return services.store.ListGroupsWithOffsets(); });
  if (stored.ok()) {
    for (const std::string& id : *stored)
      groups[id] = "";
  }
  for (const GroupSummary& native : services.groups.List(now))
    groups[native.group_id] = "choreo";
  for (const ClassicGroupSnapshot& classic : services.groups.classic().List(now))
    groups[classic.group_id] = classic.protocol_type;
  kafka::Struct response = call.NewResponse();
  response.SetInt("error_code", stored.ok() ? kNone : kCoordinatorNotAvailable);
  for (const auto& entry : groups) {
    if (CheckKafkaGroupAccess(call, KafkaGroupAccess::kDescribe, entry.first)) continue;
    kafka::Struct& out = response.AddStruct("groups");
    out.SetString("group_id", entry.first);
    out.SetString("protocol_type", entry.second);
  }
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaDescribeGroups(KafkaCall& call) {
  BrokerServices& services = call.ctx.services;
  const absl::Time now = absl::Now();
  absl::StatusOr<std::vector<std::string>> stored = co_await RunBlocking(
      services.blocking, [&services] { return services.store.ListGroupsWithOffsets(); });
  std::set<std::string> with_offsets;
  if (stored.ok()) with_offsets.insert(stored->begin(), stored->end());
  kafka::Struct response = call.NewResponse();
  for (const kafka::Value& item : call.body().GetItems("groups")) {
    const std::string& group_id = item.bytes;
    kafka::Struct& out = response.AddStruct("groups");
    out.SetString("group_id", group_id);
    out.SetString("protocol_type", "");
    out.SetString("protocol_data", "");
    if (std::optional<int16_t> denied =
            CheckKafkaGroupAccess(call, KafkaGroupAccess::kDescribe, group_id)) {
      out.SetInt("error_code", *denied);
      out.SetString("group_state", "");
      continue;
    }
    if (int16_t error = ClassicGroupCoordinator::ValidateGroupId(group_id); error != kNone) {
      out.SetInt("error_code", error);
      out.SetString("group_state", "Dead");
      continue;
    }
    out.SetInt("error_code", kNone);
    if (std::optional<ClassicGroupSnapshot> classic =
            services.groups.classic().Describe(group_id, now)) {
      out.SetString("group_state", classic->state);
      out.SetString("protocol_type", classic->protocol_type);
      out.SetString("protocol_data", classic->protocol_name);
      for (const ClassicMemberSnapshot& m : classic->members) {
        kafka::Struct& member = out.AddStruct("members");
        member.SetString("member_id", m.member_id);
        SetInstanceId(member, m.instance_id);
        member.SetString("client_id", m.client_id);
        member.SetString("client_host", m.client_host);
        member.SetString("member_metadata", m.metadata);
        member.SetString("member_assignment", m.assignment);
      }
      continue;
    }
    if (std::optional<GroupSnapshot> native = services.groups.Describe(group_id, now)) {
      // A choreo group: its members, without Kafka's consumer-protocol metadata.
      out.SetString("group_state", "Stable");
      out.SetString("protocol_type", "choreo");
      for (const MemberSnapshot& m : native->members) {
        kafka::Struct& member = out.AddStruct("members");
        member.SetString("member_id", m.member_id);
        SetInstanceId(member, m.instance_id);
        member.SetString("client_id", m.client_id);
        member.SetString("client_host", "");
        member.SetString("member_metadata", "");
        member.SetString("member_assignment", "");
      }
      continue;
    }
    out.SetString("group_state", with_offsets.count(group_id) ? "Empty" : "Dead");
  }
  co_return response;
}

}  // namespace choreo::broker
