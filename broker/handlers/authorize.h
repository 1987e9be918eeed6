// Authorization (README "Authentication and ACLs"): which ACL operations on which resources each
// request needs. Choreo's protocol is checked before its handler by Dispatch(); the Kafka
// listener's handlers (kafka/handlers/) make the same decisions per topic through the Check*
// functions below, so both protocols share one table. With authentication off everything is
// allowed (Security::enabled()).
//
//   produce                      write topic (+ create topic, or cluster, when it would
//                                auto-create)
//   fetch                        read topic, for every partition asked
//   list_offsets                 describe topic
//   metadata                     describe topic: other topics are left out of the answer (all
//                                topics) or answered AUTHORIZATION_FAILED (named topics);
//                                auto-creation also needs create topic (or cluster)
//   create_topics                create topic (or create cluster)
//   delete_topics / alter_topic  delete / alter topic
//   init_producer                none beyond authentication; the producer id is the principal's
//                                (CheckProducerOwner)
//   group_heartbeat              read group
//   offset_commit                read group, read every topic committed
//   offset_fetch, describe_groups  describe group
//   list_groups                  groups the principal may not describe are left out
//   delete_groups                delete group
//   step_commit                  read group, read every input topic, write every output topic
//   find_events                  read topic (or describe cluster without a topic)
//   stuck_sagas, list_saga_definitions  describe cluster
//   list_schemas, get_schema, check_schema  none beyond authentication (event contracts are
//                                shared; a saga service checks its types when it starts)
//   define_saga, register_schema alter cluster
//   schedule_event               write topic
//   cancel_scheduled_event       write on the pending event's topic (checked by the handler,
//                                which finds it; an id no longer pending needs nothing more)
//   upsert_user, delete_user, create_acls, delete_acls   alter cluster
//   list_users, list_acls        describe cluster
//
// Kafka's APIs map onto the same rows: Produce as produce, Fetch as fetch, ListOffsets as
// list_offsets, Metadata as metadata, CreateTopics and DeleteTopics as create_topics and
// delete_topics, InitProducerId as init_producer; JoinGroup, SyncGroup, Heartbeat and LeaveGroup
// as group_heartbeat, OffsetCommit as offset_commit, FindCoordinator, OffsetFetch and
// DescribeGroups as describe_groups, ListGroups as list_groups
// (kafka/handlers/group_handlers.h).
//
// A denial answers the whole (native) request with AUTHORIZATION_FAILED naming the principal,
// operation and resource (Kafka: TOPIC_AUTHORIZATION_FAILED for that topic's entries), and is
// counted in choreo_authorization_denials_total{operation}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/handlers/request_context.h"
#include "broker/security/acl.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// A denied check: what the principal may not do.
struct AclDenial {
  AclOperation operation;
  AclResource resource;
  std::string name;
};

// "principal 'P' is not allowed to OPERATION RESOURCE 'NAME'", for responses.
std::string DenialMessage(std::string_view principal, const AclDenial& denial);

// The per-topic decisions of the table above, shared by both protocols. Each returns nullopt when
// allowed (always with authentication off); a denial is counted in
// choreo_authorization_denials_total{operation}.
//
// `operation` on the topic (fetch: read; list offsets: describe; delete: delete; ...).
std::optional<AclDenial> CheckTopic(RequestContext& ctx, AclOperation operation,
                                    const std::string& topic);
// Creating the topic (create topics, auto-creation): create on the topic, or on the cluster.
std::optional<AclDenial> CheckCreateTopic(RequestContext& ctx, const std::string& topic);
// A produce: write on the topic, and creation when it does not exist and --auto-create-topics
// would create it.
std::optional<AclDenial> CheckProduceTopic(RequestContext& ctx, const std::string& topic);
// Whether a metadata answer may show the topic (describe).
bool MayDescribeTopic(RequestContext& ctx, const std::string& topic);
// `operation` on the group (heartbeat and commit: read; offset fetch, describe: describe; delete:
// delete), for the Kafka group APIs as for the native ones.
std::optional<AclDenial> CheckGroup(RequestContext& ctx, AclOperation operation,
                                    const std::string& group);

// nullopt: allowed. Otherwise the response to send instead of running the handler.
std::optional<proto::Response> AuthorizeRequest(RequestContext& ctx, const proto::Request& request);

// With authentication on, an idempotent producer id (>= 0) may only be used by the principal it
// was granted to (InitProducer records it). Returns NONE, or AUTHORIZATION_FAILED with `*message`.
proto::ErrorCode CheckProducerOwner(Security& security, const std::string& principal,
                                    int64_t producer_id, std::string* message);

// Removes from a handler's response what the principal may not see (metadata, list_groups).
void FilterResponse(RequestContext& ctx, const proto::Request& request, proto::Response* response);

}  // namespace choreo::broker
