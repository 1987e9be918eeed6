// Definitions of the producer and topic administration APIs: InitProducerId, CreateTopics,
// DeleteTopics.
#include <cstdint>

#include "broker/kafka/schema.h"

namespace choreo::kafka {
namespace {

using T = FieldType;

ApiDef InitProducerIdApi() {
  // A null transactional id asks for an idempotent (non-transactional) producer id.
  ApiDef api{api_key::kInitProducerId, "InitProducerId", {0, 1}, {}, {}};
  api.request = {"InitProducerIdRequest",
                 2,
                 {
                     Field("transactional_id", T::kString).Nullable().DefaultNull(),
                     Field("transaction_timeout_ms", T::kInt32),
                 }};
  api.response = {"InitProducerIdResponse",
                  2,
                  {
                      Field("throttle_time_ms", T::kInt32),
                      Field("error_code", T::kInt16),
                      Field("producer_id", T::kInt64).Default(-1),
                      Field("producer_epoch", T::kInt16),
                  }};
  return api;
}

ApiDef CreateTopicsApi() {
  // v4 only relaxes the rules (KIP-464: -1 partitions or replication factor means the broker's
  // default); the schema is v3's.
  ApiDef api{api_key::kCreateTopics, "CreateTopics", {0, 4}, {}, {}};
  api.request = {"CreateTopicsRequest",
                 5,
                 {
                     Array("topics",
                           {
                               Field("name", T::kString),
                               Field("num_partitions", T::kInt32),
                               Field("replication_factor", T::kInt16),
                               Array("assignments",
                                     {
                                         Field("partition_index", T::kInt32),
                                         ScalarArray("broker_ids", T::kInt32),
                                     }),
                               Array("configs",
                                     {
                                         Field("name", T::kString),
                                         Field("value", T::kString).Nullable(),
                                     }),
                           }),
                     Field("timeout_ms", T::kInt32),
                     Field("validate_only", T::kBool).From(1),
                 }};
  api.response = {"CreateTopicsResponse",
                  5,
                  {
                      Field("throttle_time_ms", T::kInt32).From(2),
                      Array("topics",
                            {
                                Field("name", T::kString),
                                Field("error_code", T::kInt16),
                                Field("error_message", T::kString).From(1).Nullable().DefaultNull(),
                            }),
                  }};
  return api;
}

ApiDef DeleteTopicsApi() {
  ApiDef api{api_key::kDeleteTopics, "DeleteTopics", {0, 3}, {}, {}};
  api.request = {"DeleteTopicsRequest",
                 4,
                 {
                     ScalarArray("topic_names", T::kString),
                     Field("timeout_ms", T::kInt32),
                 }};
  api.response = {"DeleteTopicsResponse",
                  4,
                  {
                      Field("throttle_time_ms", T::kInt32).From(1),
                      Array("responses",
                            {
                                Field("name", T::kString),
                                Field("error_code", T::kInt16),
                            }),
                  }};
  return api;
}

}  // namespace

void AddAdminApis(std::vector<ApiDef>* apis) {
  apis->push_back(InitProducerIdApi());
  apis->push_back(CreateTopicsApi());
  apis->push_back(DeleteTopicsApi());
}

}  // namespace choreo::kafka
