// Byte vectors written by hand from the protocol's documented layouts (not produced by this codec),
// checked in both directions.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "broker/kafka/codec.h"
#include "broker/kafka/errors.h"
#include "broker/kafka/record_batch.h"
#include "broker/kafka/request.h"

namespace choreo::kafka {
namespace {

std::string Hex(std::string_view hex) {
  return absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
}

TEST(KafkaKnownBytesTest, ApiVersionsV0RequestFrame) {
  // size 14 | api_key 18 | version 0 | correlation_id 1 | client_id "kcat" | empty body
  const std::string frame =
      Hex("0000000e"
          "0012"
          "0000"
          "00000001"
          "0004"
          "6b636174");
  absl::StatusOr<uint32_t> size = ParseFrameSize(frame, 1 << 20);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 14u);
  absl::StatusOr<DecodedRequest> req = DecodeRequest(std::string_view(frame).substr(4));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->header.api_key, 18);
  EXPECT_EQ(req->header.api_version, 0);
  EXPECT_EQ(req->header.correlation_id, 1);
  EXPECT_EQ(req->header.client_id, "kcat");
  EXPECT_FALSE(req->unsupported_version);

  std::string encoded;
  ASSERT_TRUE(EncodeRequest(req->header, req->body, &encoded).ok());
  std::string framed;
  AppendFrameSize(static_cast<uint32_t>(encoded.size()), &framed);
  EXPECT_EQ(framed + encoded, frame);
}

TEST(KafkaKnownBytesTest, SaslAuthenticateV2IsFlexibleAndV1AnswersWithALifetime) {
  // Request header v2 (int16-length client id "c", empty tags), then compact bytes "ab" (03 = 2+1)
  // and no tags.
  const std::string request =
      Hex("0024"
          "0002"
          "00000005"
          "0001"
          "63"
          "00"
          "03"
          "6162"
          "00");
  absl::StatusOr<DecodedRequest> req = DecodeRequest(request);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->header.api_key, api_key::kSaslAuthenticate);
  EXPECT_EQ(req->body.GetString("auth_bytes"), "ab");
  std::string encoded;
  ASSERT_TRUE(EncodeRequest(req->header, req->body, &encoded).ok());
  EXPECT_EQ(encoded, request);

  // v2 response: header v1 (correlation id, empty tags); error 58, compact nullable string "no"
  // (03), compact bytes "" (01), session lifetime 0, no tags.
  Struct response = NewMessage(FindApi(api_key::kSaslAuthenticate)->response);
  response.SetInt("error_code", 58).SetString("error_message", "no");
  std::string out;
  ASSERT_TRUE(EncodeResponse(api_key::kSaslAuthenticate, 2, 5, response, &out).ok());
  EXPECT_EQ(out, Hex("00000005"
                     "00"
                     "003a"
                     "03"
                     "6e6f"
                     "01"
                     "0000000000000000"
                     "00"));
  // v1 response: no tags, int16-length string, int32-length bytes, then the lifetime.
  out.clear();
  ASSERT_TRUE(EncodeResponse(api_key::kSaslAuthenticate, 1, 5, response, &out).ok());
  EXPECT_EQ(out, Hex("00000005"
                     "003a"
                     "0002"
                     "6e6f"
                     "00000000"
                     "0000000000000000"));
}

TEST(KafkaKnownBytesTest, SaslHandshakeV1Response) {
  // error 0, mechanisms ["SCRAM-SHA-256"]: int32 count, int16-length string.
  Struct response = NewMessage(FindApi(api_key::kSaslHandshake)->response);
  response.AddString("mechanisms", "SCRAM-SHA-256");
  std::string out;
  ASSERT_TRUE(EncodeResponse(api_key::kSaslHandshake, 1, 9, response, &out).ok());
  EXPECT_EQ(out, Hex("00000009"
                     "0000"
                     "00000001"
                     "000d"
                     "534352414d2d5348412d323536"));
}

TEST(KafkaKnownBytesTest, ApiVersionsV3RequestHasAFlexibleHeaderAndBody) {
  // Header v2: client_id stays an int16-length string, then an empty tag section (00). Body:
  // compact strings "librdkafka" (0b = 10+1) and "2.0.2" (06), then no tags.
  const std::string frame =
      Hex("0012"
          "0003"
          "00000007"
          "0006"
          "726466616b61"
          "00"
          "0b"
          "6c696272646b61666b61"
          "06"
          "322e302e32"
          "00");
  absl::StatusOr<DecodedRequest> req = DecodeRequest(frame);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->header.client_id, "rdfaka");
  EXPECT_EQ(req->body.GetString("client_software_name"), "librdkafka");
  EXPECT_EQ(req->body.GetString("client_software_version"), "2.0.2");
  std::string encoded;
  ASSERT_TRUE(EncodeRequest(req->header, req->body, &encoded).ok());
  EXPECT_EQ(encoded, frame);
}

TEST(KafkaKnownBytesTest, ApiVersionsV3ResponseHeaderHasNoTags) {
  const ApiDef& api = *FindApi(api_key::kApiVersions);
  Struct body = NewMessage(api.response);
  body.AddStruct("api_keys").SetInt("api_key", 0).SetInt("min_version", 0).SetInt("max_version", 8);
  body.SetInt("throttle_time_ms", 0);
  std::string out;
  ASSERT_TRUE(EncodeResponse(api.key, 3, 9, body, &out).ok());
  // correlation 9 (no header tags) | error 0 | compact array of 1 (02): key 0, 0..8, no tags |
  // throttle 0 | no tags
  EXPECT_EQ(out, Hex("00000009"
                     "0000"
                     "02"
                     "0000"
                     "0000"
                     "0008"
                     "00"
                     "00000000"
                     "00"));
}

TEST(KafkaKnownBytesTest, UnknownApiVersionsVersionGetsTheV0Fallback) {
  // KIP-511: an ApiVersions v9 request from a newer client. The header is read as v2; the body
  // (unknown layout) is left alone.
  const std::string frame =
      Hex("0012"
          "0009"
          "0000002a"
          "ffff"
          "00"
          "0474657374"
          "00"
          "00");
  absl::StatusOr<DecodedRequest> req = DecodeRequest(frame);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_TRUE(req->unsupported_version);
  EXPECT_EQ(req->header.api_version, 9);
  EXPECT_EQ(req->header.correlation_id, 42);
  EXPECT_FALSE(req->header.client_id.has_value());

  const ApiDef& api = *FindApi(api_key::kApiVersions);
  Struct body = NewMessage(api.response);
  body.SetInt("error_code", error_code::kUnsupportedVersion);
  body.AddStruct("api_keys")
      .SetInt("api_key", 18)
      .SetInt("min_version", 0)
      .SetInt("max_version", 3);
  std::string out;
  ASSERT_TRUE(EncodeResponse(api.key, 0, req->header.correlation_id, body, &out).ok());
  EXPECT_EQ(out, Hex("0000002a"
                     "0023"
                     "00000001"
                     "0012"
                     "0000"
                     "0003"));
}

TEST(KafkaKnownBytesTest, OtherUnsupportedVersionsAreRefused) {
  const std::string frame =
      Hex("0001"
          "0003"
          "00000001"
          "ffff");  // Fetch v3: magic 0/1 only
  RequestHeader header;
  absl::StatusOr<DecodedRequest> req = DecodeRequest(frame, {}, &header);
  EXPECT_EQ(req.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(header.api_key, 1);
  EXPECT_EQ(header.api_version, 3);
}

TEST(KafkaKnownBytesTest, MetadataRequests) {
  const ApiDef& api = *FindApi(api_key::kMetadata);
  absl::StatusOr<Struct> v0 = DecodeMessage(api.request, 0,
                                            Hex("00000001"
                                                "0001"
                                                "61"));
  ASSERT_TRUE(v0.ok()) << v0.status();
  ASSERT_EQ(v0->GetStructs("topics").size(), 1u);
  EXPECT_EQ(v0->GetStructs("topics")[0].GetString("name"), "a");
  EXPECT_TRUE(v0->GetBool("allow_auto_topic_creation"));  // absent before v4: default true

  // v4: null topics (all), allow_auto_topic_creation false.
  absl::StatusOr<Struct> v4 = DecodeMessage(api.request, 4,
                                            Hex("ffffffff"
                                                "00"));
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_TRUE(v4->IsNull("topics"));
  EXPECT_FALSE(v4->GetBool("allow_auto_topic_creation"));
}

TEST(KafkaKnownBytesTest, ProduceV3Request) {
  const std::string body =
      Hex("ffff"  // transactional_id null
          "ffff"
          "00007530"  // acks -1, timeout 30000
          "00000001"
          "0001"
          "74"  // 1 topic "t"
          "00000001"
          "00000000"  // 1 partition, index 0
          "00000003"
          "616263");  // records: 3 bytes
  const ApiDef& api = *FindApi(api_key::kProduce);
  absl::StatusOr<Struct> req = DecodeMessage(api.request, 3, body);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_TRUE(req->IsNull("transactional_id"));
  EXPECT_EQ(req->GetInt("acks"), -1);
  EXPECT_EQ(req->GetInt("timeout_ms"), 30000);
  const Struct& p = req->GetStructs("topics")[0].GetStructs("partitions")[0];
  EXPECT_EQ(p.GetString("records"), "abc");
  std::string again;
  ASSERT_TRUE(EncodeMessage(api.request, 3, *req, &again).ok());
  EXPECT_EQ(again, body);
}

// One record (key "k", value "v", no headers) at timestamp 1000, no producer id. Laid out by hand
// per the v2 format; the CRC-32C was computed separately over bytes 21..69 (a bitwise
// implementation of the Castagnoli polynomial, checked on "123456789" -> e3069283).
constexpr std::string_view kKnownBatchHex =
    "0000000000000000"  // base_offset 0
    "0000003a"          // batch_length 58
    "ffffffff"          // partition_leader_epoch -1
    "02"                // magic
    "716a6189"          // crc
    "0000"              // attributes
    "00000000"          // last_offset_delta
    "00000000000003e8"  // base_timestamp
    "00000000000003e8"  // max_timestamp
    "ffffffffffffffff"  // producer_id
    "ffff"              // producer_epoch
    "ffffffff"          // base_sequence
    "00000001"          // record count
    "10"
    "00"
    "00"
    "00"
    "02"
    "6b"
    "02"
    "76"
    "00";  // length 8, attrs, deltas, key, value, headers

TEST(KafkaKnownBytesTest, RecordBatchWithAKnownCrc) {
  const std::string batch = Hex(kKnownBatchHex);
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->crc, 0x716a6189u);
  EXPECT_EQ(header->record_count, 1);
  EXPECT_EQ(header->base_timestamp, 1000);
  EXPECT_EQ(header->producer_id, -1);

  std::string scratch;
  std::vector<RecordView> records;
  ASSERT_TRUE(DecodeRecords(batch, {}, &scratch, &*header, &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "k");
  EXPECT_EQ(records[0].value, "v");

  RecordInput input;
  input.key = "k";
  input.value = "v";
  input.timestamp_ms = 1000;
  absl::StatusOr<std::string> built = BuildBatch({}, std::span<const RecordInput>(&input, 1));
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, batch);
}

}  // namespace
}  // namespace choreo::kafka
