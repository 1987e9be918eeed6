// Definitions of the classic consumer-group APIs: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups.
#include <cstdint>

#include "broker/kafka/schema.h"

namespace choreo::kafka {
namespace {

using T = FieldType;

FieldDef GroupInstanceId(int16_t from) {
  return Field("group_instance_id", T::kString).From(from).Nullable().DefaultNull();
}

ApiDef FindCoordinatorApi() {
  ApiDef api{api_key::kFindCoordinator, "FindCoordinator", {0, 2}, {}, {}};
  api.request = {
      "FindCoordinatorRequest",
      3,
      {
          Field("key", T::kString), Field("key_type", T::kInt8).From(1),  // 0 group, 1 transaction
      }};
  api.response = {"FindCoordinatorResponse",
                  3,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Field("error_code", T::kInt16),
                      Field("error_message", T::kString).From(1).Nullable().DefaultNull(),
                      Field("node_id", T::kInt32),
                      Field("host", T::kString),
                      Field("port", T::kInt32),
                  }};
  return api;
}

ApiDef JoinGroupApi() {
  // v4+: a member joining with an empty member id gets MEMBER_ID_REQUIRED and its new id, and
  // joins again with it (KIP-394). v5 adds static membership (KIP-345).
  ApiDef api{api_key::kJoinGroup, "JoinGroup", {0, 5}, {}, {}};
  api.request = {"JoinGroupRequest",
                 6,
                 {
                     Field("group_id", T::kString),
                     Field("session_timeout_ms", T::kInt32),
                     // Absent in v0, where the session timeout serves as the rebalance timeout.
                     Field("rebalance_timeout_ms", T::kInt32).From(1).Default(-1),
                     Field("member_id", T::kString),
                     GroupInstanceId(5),
                     Field("protocol_type", T::kString),
                     Array("protocols",
                           {
                               Field("name", T::kString),
                               Field("metadata", T::kBytes),
                           }),
                 }};
  api.response = {"JoinGroupResponse",
                  6,
                  {
                      Field("throttle_time_ms", T::kInt32).From(2),
                      Field("error_code", T::kInt16),
                      Field("generation_id", T::kInt32).Default(-1),
                      Field("protocol_name", T::kString),
                      Field("leader", T::kString),
                      Field("member_id", T::kString),
                      Array("members",
                            {
                                Field("member_id", T::kString),
                                GroupInstanceId(5),
                                Field("metadata", T::kBytes),
                            }),
                  }};
  return api;
}

ApiDef SyncGroupApi() {
  ApiDef api{api_key::kSyncGroup, "SyncGroup", {0, 3}, {}, {}};
  api.request = {"SyncGroupRequest",
                 4,
                 {
                     Field("group_id", T::kString),
                     Field("generation_id", T::kInt32),
                     Field("member_id", T::kString),
                     GroupInstanceId(3),
                     Array("assignments",
                           {
                               Field("member_id", T::kString),
                               Field("assignment", T::kBytes),
                           }),
                 }};
  api.response = {"SyncGroupResponse",
                  4,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Field("error_code", T::kInt16),
                      Field("assignment", T::kBytes),
                  }};
  return api;
}

ApiDef HeartbeatApi() {
  ApiDef api{api_key::kHeartbeat, "Heartbeat", {0, 3}, {}, {}};
  api.request = {"HeartbeatRequest",
                 4,
                 {
                     Field("group_id", T::kString),
                     Field("generation_id", T::kInt32),
                     Field("member_id", T::kString),
                     GroupInstanceId(3),
                 }};
  api.response = {"HeartbeatResponse",
                  4,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Field("error_code", T::kInt16),
                  }};
  return api;
}

ApiDef LeaveGroupApi() {
  // v3 replaces the single member id with a batch of members (KIP-345).
  ApiDef api{api_key::kLeaveGroup, "LeaveGroup", {0, 3}, {}, {}};
  api.request = {"LeaveGroupRequest",
                 4,
                 {
                     Field("group_id", T::kString),
                     Field("member_id", T::kString).Until(2),
                     Array("members",
                           {
                               Field("member_id", T::kString),
                               GroupInstanceId(0),
                           })
                         .From(3),
                 }};
  api.response = {"LeaveGroupResponse",
                  4,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Field("error_code", T::kInt16),
                      Array("members",
                            {
                                Field("member_id", T::kString),
                                GroupInstanceId(0),
                                Field("error_code", T::kInt16),
                            })
                          .From(3),
                  }};
  return api;
}

ApiDef OffsetCommitApi() {
  ApiDef api{api_key::kOffsetCommit, "OffsetCommit", {2, 7}, {}, {}};
  api.request = {
      "OffsetCommitRequest",
      8,
      {
          Field("group_id", T::kString),
          Field("generation_id", T::kInt32).From(1).Default(-1),
          Field("member_id", T::kString).From(1),
          GroupInstanceId(7),
          Field("retention_time_ms", T::kInt64).From(2).Until(4).Default(-1),
          Array("topics",
                {
                    Field("name", T::kString),
                    Array("partitions",
                          {
                              Field("partition_index", T::kInt32),
                              Field("committed_offset", T::kInt64),
                              Field("committed_leader_epoch", T::kInt32).From(6).Default(-1),
                              Field("commit_timestamp", T::kInt64).From(1).Until(1).Default(-1),
                              Field("committed_metadata", T::kString).Nullable(),
                          }),
                }),
      }};
  api.response = {"OffsetCommitResponse",
                  8,
                  {
                      Field("throttle_time_ms", T::kInt32).From(3),
                      Array("topics",
                            {
                                Field("name", T::kString),
                                Array("partitions",
                                      {
                                          Field("partition_index", T::kInt32),
                                          Field("error_code", T::kInt16),
                                      }),
                            }),
                  }};
  return api;
}

ApiDef OffsetFetchApi() {
  ApiDef api{api_key::kOffsetFetch, "OffsetFetch", {1, 5}, {}, {}};
  // v2+: a null topic array asks for every topic the group has offsets for.
  api.request = {"OffsetFetchRequest",
                 6,
                 {
                     Field("group_id", T::kString),
                     Array("topics",
                           {
                               Field("name", T::kString),
                               ScalarArray("partition_indexes", T::kInt32),
                           })
                         .NullableFrom(2),
                     Field("require_stable", T::kBool).From(7),
                 }};
  api.response = {
      "OffsetFetchResponse",
      6,
      {
          Field("throttle_time_ms", T::kInt32).From(3),
          Array("topics",
                {
                    Field("name", T::kString),
                    Array("partitions",
                          {
                              Field("partition_index", T::kInt32),
                              Field("committed_offset", T::kInt64),
                              Field("committed_leader_epoch", T::kInt32).From(5).Default(-1),
                              Field("metadata", T::kString).Nullable(),
                              Field("error_code", T::kInt16),
                          }),
                }),
          Field("error_code", T::kInt16).From(2),
      }};
  return api;
}

ApiDef DescribeGroupsApi() {
  ApiDef api{api_key::kDescribeGroups, "DescribeGroups", {0, 4}, {}, {}};
  api.request = {"DescribeGroupsRequest",
                 5,
                 {
                     ScalarArray("groups", T::kString),
                     Field("include_authorized_operations", T::kBool).From(3),
                 }};
  api.response = {
      "DescribeGroupsResponse",
      5,
      {
          Field("throttle_time_ms", T::kInt32).From(1),
          Array("groups",
                {
                    Field("error_code", T::kInt16),
                    Field("group_id", T::kString),
                    Field("group_state", T::kString),
                    Field("protocol_type", T::kString),
                    Field("protocol_data", T::kString),
                    Array("members",
                          {
                              Field("member_id", T::kString),
                              GroupInstanceId(4),
                              Field("client_id", T::kString),
                              Field("client_host", T::kString),
                              Field("member_metadata", T::kBytes),
                              Field("member_assignment", T::kBytes),
                          }),
                    Field("authorized_operations", T::kInt32).From(3).Default(INT32_MIN),
                }),
      }};
  return api;
}

ApiDef ListGroupsApi() {
  ApiDef api{api_key::kListGroups, "ListGroups", {0, 2}, {}, {}};
  api.request = {"ListGroupsRequest", 3, {}};
  api.response = {"ListGroupsResponse",
                  3,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Field("error_code", T::kInt16),
                      Array("groups",
                            {
                                Field("group_id", T::kString),
                                Field("protocol_type", T::kString),
                            }),
                  }};
  return api;
}

}  // namespace

void AddGroupApis(std::vector<ApiDef>* apis) {
  apis->push_back(FindCoordinatorApi());
  apis->push_back(JoinGroupApi());
  apis->push_back(SyncGroupApi());
  apis->push_back(HeartbeatApi());
  apis->push_back(LeaveGroupApi());
  apis->push_back(OffsetCommitApi());
  apis->push_back(OffsetFetchApi());
  apis->push_back(DescribeGroupsApi());
  apis->push_back(ListGroupsApi());
}

}  // namespace choreo::kafka
