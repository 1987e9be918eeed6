#include "broker/handlers/authorize.h"

#include <absl/strings/str_cat.h>

#include <string>
#include <vector>

#include "broker/handlers/response_util.h"
#include "broker/security/security.h"

namespace choreo::broker {
namespace {

// A check to make: the denial it is if it fails.
using Need = AclDenial;

class Needs {
 public:
  void Topic(AclOperation operation, const std::string& name) {
    needs_.push_back({operation, AclResource::kTopic, name});
  }
  void Group(AclOperation operation, const std::string& name) {
    needs_.push_back({operation, AclResource::kGroup, name});
  }
  void Cluster(AclOperation operation) {
    needs_.push_back({operation, AclResource::kCluster, std::string(kClusterResource)});
  }
  const std::vector<Need>& list() const { return needs_; }

 private:
  std::vector<Need> needs_;
};

// One check through Security::Authorize (which counts a denial).
std::optional<AclDenial> Check(Security& security, const std::string& principal, const Need& need) {
  if (security.Authorize(principal, need.operation, need.resource, need.name)) return std::nullopt;
  return need;
}

void Collect(RequestContext& ctx, const proto::Request& request, Needs* needs) {
  using R = proto::Request;
  switch (request.body_case()) {
    case R::kFetch:
      for (const auto& partition : request.fetch().partitions())
        needs->Topic(AclOperation::kRead, partition.topic());
      break;
    case R::kListOffsets:
      for (const auto& partition : request.list_offsets().partitions())
        needs->Topic(AclOperation::kDescribe, partition.topic());
      break;
    case R::kDeleteTopics:
      for (const std::string& name : request.delete_topics().names())
        needs->Topic(AclOperation::kDelete, name);
      break;
    case R::kAlterTopic:
      needs->Topic(AclOperation::kAlter, request.alter_topic().name());
      break;
    case R::kGroupHeartbeat:
      needs->Group(AclOperation::kRead, request.group_heartbeat().group_id());
      break;
    case R::kOffsetCommit:
      needs->Group(AclOperation::kRead, request.offset_commit().group_id());
      for (const auto& partition : request.offset_commit().partitions())
        needs->Topic(AclOperation::kRead, partition.topic());
      break;
    case R::kOffsetFetch:
      needs->Group(AclOperation::kDescribe, request.offset_fetch().group_id());
      break;
    case R::kDescribeGroups:
      for (const std::string& group : request.describe_groups().group_ids())
        needs->Group(AclOperation::kDescribe, group);
      break;
    case R::kDeleteGroups:
      for (const std::string& group : request.delete_groups().group_ids())
        needs->Group(AclOperation::kDelete, group);
      break;
    case R::kStepCommit:
      needs->Group(AclOperation::kRead, request.step_commit().group_id());
      for (const auto& offset : request.step_commit().offsets())
        needs->Topic(AclOperation::kRead, offset.topic());
      for (const auto& batch : request.step_commit().batches())
        needs->Topic(AclOperation::kWrite, batch.topic());
      break;
    case R::kFindEvents:
      if (request.find_events().topic().empty()) {
        needs->Cluster(AclOperation::kDescribe);
      } else {
        needs->Topic(AclOperation::kRead, request.find_events().topic());
      }
      break;
    case R::kScheduleEvent:
      needs->Topic(AclOperation::kWrite, request.schedule_event().topic());
      break;
    case R::kCancelScheduledEvent:
      // Write on the event's topic, which the request does not name: the handler checks it once
      // the store found the pending event (HandleCancelScheduledEvent).
      break;
    case R::kListSchemas:
    case R::kGetSchema:
    case R::kCheckSchema:
      // Reading the schema registry needs no ACL: event contracts are shared between services by
      // design, and every saga service checks its types at start-up. Describe on the cluster
      // would also let it list users and ACLs and search every topic's events.
      break;
    case R::kStuckSagas:
    case R::kListSagaDefinitions:
    case R::kListUsers:
    case R::kListAcls:
      needs->Cluster(AclOperation::kDescribe);
      break;
    case R::kDefineSaga:
    case R::kRegisterSchema:
    case R::kUpsertUser:
    case R::kDeleteUser:
    case R::kCreateAcls:
    case R::kDeleteAcls:
      needs->Cluster(AclOperation::kAlter);
      break;
    default:
      // handshake, sasl_authenticate (before authorization), init_producer (producer owners),
      // metadata and list_groups (filtered), produce and create_topics (AuthorizeRequest).
      break;
  }
  (void)ctx;
}

proto::Response Denied(const proto::Request& request, const std::string& principal,
                       const AclDenial& denial) {
  return ErrorResponse(request.correlation_id(), proto::AUTHORIZATION_FAILED,
                       DenialMessage(principal, denial));
}

}  // namespace

std::string DenialMessage(std::string_view principal, const AclDenial& denial) {
  return absl::StrCat("principal '", std::string(principal), "' is not allowed to ",
                      AclOperationName(denial.operation), " ", AclResourceName(denial.resource),
                      " '", denial.name, "'");
}

std::optional<AclDenial> CheckTopic(RequestContext& ctx, AclOperation operation,
                                    const std::string& topic) {
  Security& security = ctx.services.security;
  if (!security.enabled()) return std::nullopt;
  return Check(security, ctx.connection.principal(), {operation, AclResource::kTopic, topic});
}

std::optional<AclDenial> CheckCreateTopic(RequestContext& ctx, const std::string& topic) {
  Security& security = ctx.services.security;
  if (!security.enabled()) return std::nullopt;
  const std::string& principal = ctx.connection.principal();
  if (security.acls().Allowed(principal, AclOperation::kCreate, AclResource::kCluster,
                              kClusterResource) ||
      security.acls().Allowed(principal, AclOperation::kCreate, AclResource::kTopic, topic)) {
    return std::nullopt;
  }
  security.CountDenial(AclOperation::kCreate);
  return AclDenial{AclOperation::kCreate, AclResource::kTopic, topic};
}

std::optional<AclDenial> CheckProduceTopic(RequestContext& ctx, const std::string& topic) {
  if (!ctx.services.security.enabled()) return std::nullopt;
  if (std::optional<AclDenial> denied = CheckTopic(ctx, AclOperation::kWrite, topic)) return denied;
  // A produce to a topic that does not exist creates it when --auto-create-topics is on.
  if (!ctx.services.options.auto_create_topics || ctx.services.topics.Find(topic))
    return std::nullopt;
  return CheckCreateTopic(ctx, topic);
}

bool MayDescribeTopic(RequestContext& ctx, const std::string& topic) {
  return !CheckTopic(ctx, AclOperation::kDescribe, topic);
}

std::optional<AclDenial> CheckGroup(RequestContext& ctx, AclOperation operation,
                                    const std::string& group) {
  Security& security = ctx.services.security;
  if (!security.enabled()) return std::nullopt;
  return Check(security, ctx.connection.principal(), {operation, AclResource::kGroup, group});
}

std::optional<proto::Response> AuthorizeRequest(RequestContext& ctx,
                                                const proto::Request& request) {
  Security& security = ctx.services.security;
  if (!security.enabled()) return std::nullopt;
  const std::string& principal = ctx.connection.principal();
  if (request.body_case() == proto::Request::kCreateTopics) {
    for (const auto& topic : request.create_topics().topics()) {
      if (std::optional<AclDenial> denied = CheckCreateTopic(ctx, topic.name()))
        return Denied(request, principal, *denied);
    }
    return std::nullopt;
  }
  if (request.body_case() == proto::Request::kProduce) {
    if (std::optional<AclDenial> denied = CheckProduceTopic(ctx, request.produce().topic()))
      return Denied(request, principal, *denied);
    return std::nullopt;
  }
  Needs needs;
  Collect(ctx, request, &needs);
  for (const Need& need : needs.list()) {
    if (std::optional<AclDenial> denied = Check(security, principal, need))
      return Denied(request, principal, *denied);
  }
  return std::nullopt;
}

proto::ErrorCode CheckProducerOwner(Security& security, const std::string& principal,
                                    int64_t producer_id, std::string* message) {
  if (!security.enabled() || producer_id < 0) return proto::NONE;
  const std::optional<std::string> owner = security.producers().Owner(producer_id);
  if (owner && *owner == principal) return proto::NONE;
  security.CountDenial(AclOperation::kWrite);
  *message = absl::StrCat("producer id ", producer_id, " was not granted to principal '", principal,
                          "': get one with InitProducer");
  return proto::AUTHORIZATION_FAILED;
}

void FilterResponse(RequestContext& ctx, const proto::Request& request, proto::Response* response) {
  Security& security = ctx.services.security;
  if (!security.enabled()) return;
  const std::string& principal = ctx.connection.principal();
  if (request.body_case() == proto::Request::kMetadata && response->has_metadata()) {
    const bool named = request.metadata().topics_size() > 0;
    auto* topics = response->mutable_metadata()->mutable_topics();
    for (int i = topics->size() - 1; i >= 0; --i) {
      proto::TopicMetadata* topic = topics->Mutable(i);
      if (MayDescribeTopic(ctx, topic->name())) continue;
      if (!named) {
        topics->DeleteSubrange(i, 1);
        continue;
      }
      const std::string name = topic->name();
      topic->Clear();
      topic->set_name(name);
      SetError(proto::AUTHORIZATION_FAILED,
               DenialMessage(principal, {AclOperation::kDescribe, AclResource::kTopic, name}),
               topic->mutable_error());
    }
  } else if (request.body_case() == proto::Request::kListGroups && response->has_list_groups()) {
    auto* groups = response->mutable_list_groups()->mutable_groups();
    for (int i = groups->size() - 1; i >= 0; --i) {
      if (!security.acls().Allowed(principal, AclOperation::kDescribe, AclResource::kGroup,
                                   groups->Get(i).group_id())) {
        groups->DeleteSubrange(i, 1);
      }
    }
  }
}

}  // namespace choreo::broker
