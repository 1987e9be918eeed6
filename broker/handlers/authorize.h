// Authorization of choreo's protocol (README "Authentication and ACLs"): which ACL operations on
// which resources each request needs, checked before its handler by Dispatch(). With
// authentication off everything is allowed (Security::enabled()).
//
//   produce                      write topic (+ create topic, or cluster, when it would
//   auto-create) fetch                        read topic, for every partition asked list_offsets
//   describe topic metadata                     describe topic: other topics are left out of the
//   answer (all
//                                topics) or answered AUTHORIZATION_FAILED (named topics)
//   create_topics                create topic (or create cluster)
//   delete_topics / alter_topic  delete / alter topic
//   init_producer                none beyond authentication; the producer id is the principal's
//                                (producer_owner.h)
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
//   cancel_scheduled_event       write cluster (the request names no topic)
//   upsert_user, delete_user, create_acls, delete_acls   alter cluster
//   list_users, list_acls        describe cluster
//
// A denial answers the whole request with AUTHORIZATION_FAILED naming the principal, operation
// and resource, and is counted in choreo_authorization_denials_total{operation}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

// nullopt: allowed. Otherwise the response to send instead of running the handler.
std::optional<proto::Response> AuthorizeRequest(RequestContext& ctx, const proto::Request& request);

// With authentication on, an idempotent producer id (>= 0) may only be used by the principal it
// was granted to (InitProducer records it). Returns NONE, or AUTHORIZATION_FAILED with `*message`.
proto::ErrorCode CheckProducerOwner(Security& security, const std::string& principal,
                                    int64_t producer_id, std::string* message);

// Removes from a handler's response what the principal may not see (metadata, list_groups).
void FilterResponse(RequestContext& ctx, const proto::Request& request, proto::Response* response);

}  // namespace choreo::broker
