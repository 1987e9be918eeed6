// Round trips of every API and version in the definition tables, and the table's invariants.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "broker/kafka/codec.h"
#include "broker/kafka/request.h"
#include "broker/kafka/schema.h"
#include "broker/kafka/value.h"

namespace choreo::kafka {
namespace {

// Sets every field present in `version` to a distinct non-default value (or to null where
// `use_nulls` and the version allows it); arrays get two elements.
void Fill(const FieldList& fields, int16_t version, bool use_nulls, int* counter, Struct* s) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldDef& f = fields[i];
    if (!f.versions.Contains(version)) continue;
    Value& v = s->values()[i];
    const int n = ++*counter;
    if (use_nulls && f.nullable.Contains(version)) {
      v.null = true;
      continue;
    }
    v.null = false;
    switch (f.type) {
      case FieldType::kBool:
        v.i = 1;
        break;
      case FieldType::kInt8:
        v.i = -(n % 100);
        break;
      case FieldType::kInt16:
        v.i = -1000 - n;
        break;
      case FieldType::kInt32:
        v.i = 100000 + n;
        break;
      case FieldType::kInt64:
        v.i = (int64_t{1} << 40) + n;
        break;
      case FieldType::kString:
      case FieldType::kBytes:
      case FieldType::kRecords:
        v.bytes = std::string(f.name) + "-" + std::to_string(n);
        break;
      case FieldType::kArray:
        for (int k = 0; k < 2; ++k) {
          if (f.is_struct_array()) {
            Struct& element = v.structs.emplace_back(f.fields);
            Fill(f.fields, version, use_nulls, counter, &element);
          } else {
            Value& item = v.items.emplace_back();
            if (f.element == FieldType::kString) {
              item.bytes = "item-" + std::to_string(n + k);
            } else {
              item.i = n * 10 + k;
            }
          }
        }
        break;
    }
  }
}

void RoundTrip(const ApiDef& api, const MessageDef& def, int16_t version, bool use_nulls) {
  SCOPED_TRACE(std::string(def.name) + " v" + std::to_string(version) +
               (use_nulls ? " with nulls" : ""));
  Struct message = NewMessage(def);
  int counter = 0;
  Fill(def.fields, version, use_nulls, &counter, &message);
  std::string bytes;
  ASSERT_TRUE(EncodeMessage(def, version, message, &bytes).ok());
  absl::StatusOr<Struct> decoded = DecodeMessage(def, version, bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(*decoded == message);
  std::string again;
  ASSERT_TRUE(EncodeMessage(def, version, *decoded, &again).ok());
  EXPECT_EQ(again, bytes);
}

TEST(KafkaCodecTest, EveryApiAndVersionRoundTrips) {
  int versions = 0;
  for (const ApiDef& api : AllApis()) {
    for (int16_t v = api.versions.min; v <= api.versions.max; ++v) {
      for (bool nulls : {false, true}) {
        RoundTrip(api, api.request, v, nulls);
        RoundTrip(api, api.response, v, nulls);
      }
      ++versions;
    }
  }
  EXPECT_EQ(versions, 4 + 9 + 9 + 8 + 5 + 3 + 6 + 4 + 4 + 4 + 6 + 5 + 2 + 5 + 4 + 5 + 3 + 2 + 3);
}

TEST(KafkaCodecTest, WholeRequestsRoundTripWithHeaders) {
  for (const ApiDef& api : AllApis()) {
    for (int16_t v = api.versions.min; v <= api.versions.max; ++v) {
      SCOPED_TRACE(std::string(api.name) + " v" + std::to_string(v));
      Struct body = NewMessage(api.request);
      int counter = 0;
      Fill(api.request.fields, v, false, &counter, &body);
      RequestHeader header{api.key, v, 1000 + v, "client-" + std::to_string(v)};
      std::string frame;
      ASSERT_TRUE(EncodeRequest(header, body, &frame).ok());
      absl::StatusOr<DecodedRequest> req = DecodeRequest(frame);
      ASSERT_TRUE(req.ok()) << req.status();
      EXPECT_EQ(req->header.api_key, api.key);
      EXPECT_EQ(req->header.api_version, v);
      EXPECT_EQ(req->header.correlation_id, 1000 + v);
      EXPECT_EQ(req->header.client_id, header.client_id);
      EXPECT_FALSE(req->unsupported_version);
      EXPECT_TRUE(req->body == body);

      Struct response = NewMessage(api.response);
      Fill(api.response.fields, v, false, &counter, &response);
      std::string out;
      ASSERT_TRUE(EncodeResponse(api.key, v, 77, response, &out).ok());
      int32_t correlation_id = 0;
      absl::StatusOr<Struct> decoded = DecodeResponse(api.key, v, out, &correlation_id);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(correlation_id, 77);
      EXPECT_TRUE(*decoded == response);
    }
  }
}

// The decoder refuses array counts above the remaining bytes, which is sound only if every element
// takes at least one byte: no struct element may have zero fields in a version of its array.
void CheckNoEmptyElements(const FieldList& fields, VersionRange range) {
  for (const FieldDef& f : fields) {
    if (!f.is_struct_array()) continue;
    for (int16_t v = std::max(range.min, f.versions.min); v <= std::min(range.max, f.versions.max);
         ++v) {
      bool any = false;
      for (const FieldDef& child : f.fields)
        any |= child.versions.Contains(v);
      EXPECT_TRUE(any) << f.name << " has an empty element in version " << v;
    }
    CheckNoEmptyElements(f.fields, range);
  }
}

TEST(KafkaCodecTest, TablesAreWellFormed) {
  std::set<int16_t> keys;
  for (const ApiDef& api : AllApis()) {
    SCOPED_TRACE(std::string(api.name));
    EXPECT_TRUE(keys.insert(api.key).second);
    EXPECT_EQ(FindApi(api.key), &api);
    CheckNoEmptyElements(api.request.fields, api.versions);
    CheckNoEmptyElements(api.response.fields, api.versions);
    // Only ApiVersions v3 and SaslAuthenticate v2 are flexible so far.
    const bool flexible = api.request.flexible(api.versions.max);
    EXPECT_EQ(flexible, api.key == api_key::kApiVersions || api.key == api_key::kSaslAuthenticate);
  }
  EXPECT_EQ(FindApi(4), nullptr);  // LeaderAndIsr: broker-internal, not served
}

TEST(KafkaCodecTest, VersionRangesOfTheFirstSet) {
  struct Range {
    int16_t key, min, max;
  };
  const Range expected[] = {
      {api_key::kApiVersions, 0, 3},      {api_key::kMetadata, 0, 8},
      {api_key::kProduce, 0, 8},          {api_key::kFetch, 4, 11},
      {api_key::kListOffsets, 1, 5},      {api_key::kFindCoordinator, 0, 2},
      {api_key::kJoinGroup, 0, 5},        {api_key::kSyncGroup, 0, 3},
      {api_key::kHeartbeat, 0, 3},        {api_key::kLeaveGroup, 0, 3},
      {api_key::kOffsetCommit, 2, 7},     {api_key::kOffsetFetch, 1, 5},
      {api_key::kInitProducerId, 0, 1},   {api_key::kCreateTopics, 0, 4},
      {api_key::kDeleteTopics, 0, 3},     {api_key::kDescribeGroups, 0, 4},
      {api_key::kListGroups, 0, 2},       {api_key::kSaslHandshake, 0, 1},
      {api_key::kSaslAuthenticate, 0, 2},
  };
  EXPECT_EQ(AllApis().size(), std::size(expected));
  for (const Range& r : expected) {
    const ApiDef* api = FindApi(r.key);
    ASSERT_NE(api, nullptr) << r.key;
    EXPECT_EQ(api->versions.min, r.min) << api->name;
    EXPECT_EQ(api->versions.max, r.max) << api->name;
  }
}

TEST(KafkaCodecTest, FieldsAreReachableByName) {
  const ApiDef& produce = *FindApi(api_key::kProduce);
  Struct req = NewMessage(produce.request);
  req.SetInt("acks", -1).SetInt("timeout_ms", 30000);
  Struct& topic = req.AddStruct("topics");
  topic.SetString("name", "orders");
  topic.AddStruct("partitions").SetInt("partition_index", 3).SetString("records", "batch-bytes");
  std::string bytes;
  ASSERT_TRUE(EncodeMessage(produce.request, 7, req, &bytes).ok());

  absl::StatusOr<Struct> decoded = DecodeMessage(produce.request, 7, bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->IsNull("transactional_id"));  // the default
  EXPECT_EQ(decoded->GetInt("acks"), -1);
  EXPECT_EQ(decoded->GetInt("timeout_ms"), 30000);
  ASSERT_EQ(decoded->GetStructs("topics").size(), 1u);
  const Struct& t = decoded->GetStructs("topics")[0];
  EXPECT_EQ(t.GetString("name"), "orders");
  ASSERT_EQ(t.GetStructs("partitions").size(), 1u);
  EXPECT_EQ(t.GetStructs("partitions")[0].GetInt("partition_index"), 3);
  EXPECT_EQ(t.GetStructs("partitions")[0].GetString("records"), "batch-bytes");
}

TEST(KafkaCodecTest, FieldsAbsentFromAVersionKeepTheirDefaults) {
  const ApiDef& fetch = *FindApi(api_key::kFetch);
  Struct req = NewMessage(fetch.request);
  req.SetInt("session_epoch", 5).SetString("rack_id", "r1");
  std::string bytes;
  ASSERT_TRUE(EncodeMessage(fetch.request, 6, req, &bytes).ok());  // no sessions, no rack in v6
  absl::StatusOr<Struct> decoded = DecodeMessage(fetch.request, 6, bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->GetInt("session_epoch"), -1);
  EXPECT_EQ(decoded->GetString("rack_id"), "");
  EXPECT_EQ(decoded->GetInt("max_bytes"), INT32_MAX);  // in v6, and carries its default
}

TEST(KafkaCodecTest, EncodeRefusesNullWhereTheVersionAllowsNone) {
  const ApiDef& metadata = *FindApi(api_key::kMetadata);
  Struct req = NewMessage(metadata.request);
  req.SetNull("topics");
  std::string bytes;
  EXPECT_FALSE(EncodeMessage(metadata.request, 0, req, &bytes).ok());  // v0: empty means all
  bytes.clear();
  EXPECT_TRUE(EncodeMessage(metadata.request, 1, req, &bytes).ok());
  EXPECT_EQ(bytes, std::string("\xff\xff\xff\xff", 4));
}

TEST(KafkaCodecTest, EncodeRefusesAStringOverInt16) {
  const ApiDef& find = *FindApi(api_key::kFindCoordinator);
  Struct req = NewMessage(find.request);
  req.SetString("key", std::string(40000, 'g'));
  std::string bytes;
  EXPECT_FALSE(EncodeMessage(find.request, 1, req, &bytes).ok());
}

}  // namespace
}  // namespace choreo::kafka
