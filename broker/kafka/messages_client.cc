// Definitions of the APIs every client uses first: ApiVersions, Metadata, Produce, Fetch,
// ListOffsets. Written from the Kafka protocol's documented message definitions (field names,
// types, version ranges); see README.md for the conventions.
#include <cstdint>

#include "broker/kafka/schema.h"

namespace choreo::kafka {
namespace {

using T = FieldType;
constexpr int64_t kNoAuthorizedOperations = INT32_MIN;

ApiDef ApiVersionsApi() {
  ApiDef api{api_key::kApiVersions, "ApiVersions", {0, 3}, {}, {}};
  // v3 is flexible: compact strings and tagged fields in the body, request header v2. Its response
  // header stays v0 (no tagged fields) so that a client can always read the error of a fallback.
  api.request = {"ApiVersionsRequest",
                 3,
                 {
                     Field("client_software_name", T::kString).From(3),
                     Field("client_software_version", T::kString).From(3),
                 }};
  api.response = {"ApiVersionsResponse",
                  3,
                  {
                      Field("error_code", T::kInt16),
                      Array("api_keys",
                            {
                                Field("api_key", T::kInt16),
                                Field("min_version", T::kInt16),
                                Field("max_version", T::kInt16),
                            }),
                      Field("throttle_time_ms", T::kInt32).From(1),
                  }};
  return api;
}

ApiDef MetadataApi() {
  ApiDef api{api_key::kMetadata, "Metadata", {0, 8}, {}, {}};
  // v0: an empty topic array means all topics; v1+: null means all, empty means none.
  api.request = {"MetadataRequest",
                 9,
                 {
                     Array("topics", {Field("name", T::kString)}).NullableFrom(1),
                     Field("allow_auto_topic_creation", T::kBool).From(4).Default(1),
                     Field("include_cluster_authorized_operations", T::kBool).From(8),
                     Field("include_topic_authorized_operations", T::kBool).From(8),
                 }};
  api.response = {"MetadataResponse",
                  9,
                  {
                      Field("throttle_time_ms", T::kInt32).From(3),
                      Array("brokers",
                            {
                                Field("node_id", T::kInt32),
                                Field("host", T::kString),
                                Field("port", T::kInt32),
                                Field("rack", T::kString).From(1).Nullable().DefaultNull(),
                            }),
                      Field("cluster_id", T::kString).From(2).Nullable().DefaultNull(),
                      Field("controller_id", T::kInt32).From(1).Default(-1),
                      Array("topics",
                            {
                                Field("error_code", T::kInt16),
                                Field("name", T::kString),
                                Field("is_internal", T::kBool).From(1),
                                Array("partitions",
                                      {
                                          Field("error_code", T::kInt16),
                                          Field("partition_index", T::kInt32),
                                          Field("leader_id", T::kInt32),
                                          Field("leader_epoch", T::kInt32).From(7).Default(-1),
                                          ScalarArray("replica_nodes", T::kInt32),
                                          ScalarArray("isr_nodes", T::kInt32),
                                          ScalarArray("offline_replicas", T::kInt32).From(5),
                                      }),
                                Field("topic_authorized_operations", T::kInt32)
                                    .From(8)
                                    .Default(kNoAuthorizedOperations),
                            }),
                      Field("cluster_authorized_operations", T::kInt32)
                          .From(8)
                          .Default(kNoAuthorizedOperations),
                  }};
  return api;
}

ApiDef ProduceApi() {
  // Defined from v0: librdkafka compresses only when the advertised range includes v0, although
  // v0-2 carry old message formats that a broker serving magic-2 batches refuses.
  ApiDef api{api_key::kProduce, "Produce", {0, 8}, {}, {}};
  api.request = {"ProduceRequest",
                 9,
                 {
                     Field("transactional_id", T::kString).From(3).Nullable().DefaultNull(),
                     Field("acks", T::kInt16),
                     Field("timeout_ms", T::kInt32),
                     Array("topics",
                           {
                               Field("name", T::kString),
                               Array("partitions",
                                     {
                                         Field("partition_index", T::kInt32),
                                         Field("records", T::kRecords).Nullable(),
                                     }),
                           }),
                 }};
  api.response = {
      "ProduceResponse",
      9,
      {
          Array("responses",
                {
                    Field("name", T::kString),
                    Array("partitions",
                          {
                              Field("partition_index", T::kInt32),
                              Field("error_code", T::kInt16),
                              Field("base_offset", T::kInt64),
                              Field("log_append_time_ms", T::kInt64).From(2).Default(-1),
                              Field("log_start_offset", T::kInt64).From(5).Default(-1),
                              Array("record_errors",
                                    {
                                        Field("batch_index", T::kInt32),
                                        Field("batch_index_error_message", T::kString)
                                            .Nullable()
                                            .DefaultNull(),
                                    })
                                  .From(8),
                              Field("error_message", T::kString).From(8).Nullable().DefaultNull(),
                          }),
                }),
          Field("throttle_time_ms", T::kInt32).From(1),
      }};
  return api;
}

ApiDef FetchApi() {
  ApiDef api{api_key::kFetch, "Fetch", {4, 11}, {}, {}};
  api.request = {
      "FetchRequest",
      12,
      {
          Field("replica_id", T::kInt32),
          Field("max_wait_ms", T::kInt32),
          Field("min_bytes", T::kInt32),
          Field("max_bytes", T::kInt32).From(3).Default(INT32_MAX),
          Field("isolation_level", T::kInt8).From(4),
          Field("session_id", T::kInt32).From(7),
          Field("session_epoch", T::kInt32).From(7).Default(-1),
          Array("topics",
                {
                    Field("topic", T::kString),
                    Array("partitions",
                          {
                              Field("partition", T::kInt32),
                              Field("current_leader_epoch", T::kInt32).From(9).Default(-1),
                              Field("fetch_offset", T::kInt64),
                              Field("log_start_offset", T::kInt64).From(5).Default(-1),
                              Field("partition_max_bytes", T::kInt32),
                          }),
                }),
          Array("forgotten_topics_data",
                {
                    Field("topic", T::kString),
                    ScalarArray("partitions", T::kInt32),
                })
              .From(7),
          Field("rack_id", T::kString).From(11),
      }};
  api.response = {
      "FetchResponse",
      12,
      {
          Field("throttle_time_ms", T::kInt32).From(1),
          Field("error_code", T::kInt16).From(7),
          Field("session_id", T::kInt32).From(7),
          Array("responses",
                {
                    Field("topic", T::kString),
                    Array("partitions",
                          {
                              Field("partition_index", T::kInt32),
                              Field("error_code", T::kInt16),
                              Field("high_watermark", T::kInt64),
                              Field("last_stable_offset", T::kInt64).From(4).Default(-1),
                              Field("log_start_offset", T::kInt64).From(5).Default(-1),
                              Array("aborted_transactions",
                                    {
                                        Field("producer_id", T::kInt64),
                                        Field("first_offset", T::kInt64),
                                    })
                                  .From(4)
                                  .Nullable(),
                              Field("preferred_read_replica", T::kInt32).From(11).Default(-1),
                              Field("records", T::kRecords).Nullable(),
                          }),
                }),
      }};
  return api;
}

ApiDef ListOffsetsApi() {
  ApiDef api{api_key::kListOffsets, "ListOffsets", {1, 5}, {}, {}};
  api.request = {
      "ListOffsetsRequest",
      6,
      {
          Field("replica_id", T::kInt32),
          Field("isolation_level", T::kInt8).From(2),
          Array("topics",
                {
                    Field("name", T::kString),
                    Array("partitions",
                          {
                              Field("partition_index", T::kInt32),
                              Field("current_leader_epoch", T::kInt32).From(4).Default(-1),
                              Field("timestamp", T::kInt64),
                              Field("max_num_offsets", T::kInt32).Until(0).Default(1),
                          }),
                }),
      }};
  api.response = {"ListOffsetsResponse",
                  6,
                  {
                      Field("throttle_time_ms", T::kInt32).From(2),
                      Array("topics",
                            {
                                Field("name", T::kString),
                                Array("partitions",
                                      {
                                          Field("partition_index", T::kInt32),
                                          Field("error_code", T::kInt16),
                                          ScalarArray("old_style_offsets", T::kInt64).Until(0),
                                          Field("timestamp", T::kInt64).From(1).Default(-1),
                                          Field("offset", T::kInt64).From(1).Default(-1),
                                          Field("leader_epoch", T::kInt32).From(4).Default(-1),
                                      }),
                            }),
                  }};
  return api;
}

}  // namespace

void AddClientApis(std::vector<ApiDef>* apis) {
  apis->push_back(ApiVersionsApi());
  apis->push_back(MetadataApi());
  apis->push_back(ProduceApi());
  apis->push_back(FetchApi());
  apis->push_back(ListOffsetsApi());
}

}  // namespace choreo::kafka
