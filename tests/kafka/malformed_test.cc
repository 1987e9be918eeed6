// Malformed input: every case must give an error, never a crash or an allocation the input does
// not pay for.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "broker/kafka/codec.h"
#include "broker/kafka/request.h"

namespace choreo::kafka {
namespace {

std::string Hex(std::string_view hex) {
  return absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
}

// A valid request frame body of every API at its highest version, with some content.
std::vector<std::string> SampleRequests() {
  std::vector<std::string> frames;
  for (const ApiDef& api : AllApis()) {
    Struct body = NewMessage(api.request);
    for (size_t i = 0; i < api.request.fields.size(); ++i) {
      const FieldDef& f = api.request.fields[i];
      if (f.is_struct_array()) body.AddStruct(f.name);
      if (f.type == FieldType::kString) body.SetString(f.name, "abc");
    }
    std::string frame;
    EXPECT_TRUE(EncodeRequest({api.key, api.versions.max, 5, "client"}, body, &frame).ok());
    frames.push_back(std::move(frame));
  }
  return frames;
}

TEST(KafkaMalformedTest, EveryTruncationOfEveryRequestIsAnError) {
  for (const std::string& frame : SampleRequests()) {
    ASSERT_TRUE(DecodeRequest(frame).ok());
    for (size_t n = 0; n < frame.size(); ++n) {
      EXPECT_FALSE(DecodeRequest(std::string_view(frame).substr(0, n)).ok())
          << "api " << frame[1] << " cut at " << n;
    }
  }
}

TEST(KafkaMalformedTest, TrailingBytesAreAnError) {
  for (std::string frame : SampleRequests()) {
    frame.push_back('\0');
    EXPECT_EQ(DecodeRequest(frame).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(KafkaMalformedTest, NegativeLengths) {
  const MessageDef& find = FindApi(api_key::kFindCoordinator)->request;
  EXPECT_FALSE(DecodeMessage(find, 0, Hex("fffe")).ok());  // string length -2
  EXPECT_FALSE(DecodeMessage(find, 0, Hex("ffff")).ok());  // null, not nullable
  EXPECT_FALSE(DecodeMessage(find, 0, Hex("8000")).ok());  // -32768
  const MessageDef& join = FindApi(api_key::kJoinGroup)->request;
  // group "g", timeouts, member "", protocol type "c", protocols count -2
  EXPECT_FALSE(DecodeMessage(join, 1,
                             Hex("000167"
                                 "00000001"
                                 "00000001"
                                 "0000"
                                 "000163"
                                 "fffffffe"))
                   .ok());
  const MessageDef& produce = FindApi(api_key::kProduce)->request;
  // records length -2
  EXPECT_FALSE(DecodeMessage(produce, 3,
                             Hex("ffff"
                                 "0001"
                                 "00000001"
                                 "00000001"
                                 "000174"
                                 "00000001"
                                 "00000000"
                                 "fffffffe"))
                   .ok());
}

TEST(KafkaMalformedTest, OversizeCountsAndLengthsAreRefusedBeforeAllocating) {
  const MessageDef& del = FindApi(api_key::kDeleteTopics)->request;
  // 2^31-1 topic names in 4 bytes: refused by the remaining-bytes check, not by running out.
  absl::StatusOr<Struct> huge = DecodeMessage(del, 0,
                                              Hex("7fffffff"
                                                  "00000000"));
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("declares"), absl::string_view::npos) << huge.status();
  // A string claiming 32,767 bytes with 3 present.
  EXPECT_FALSE(DecodeMessage(del, 0,
                             Hex("00000001"
                                 "7fff"
                                 "616263"))
                   .ok());
  // Records claiming 2 GiB.
  const MessageDef& produce = FindApi(api_key::kProduce)->request;
  EXPECT_FALSE(DecodeMessage(produce, 3,
                             Hex("ffff"
                                 "0001"
                                 "00000001"
                                 "00000001"
                                 "000174"
                                 "00000001"
                                 "00000000"
                                 "7fffffff"
                                 "00"))
                   .ok());
}

TEST(KafkaMalformedTest, ArrayElementLimit) {
  const MessageDef& del = FindApi(api_key::kDeleteTopics)->request;
  std::string body = Hex("00000400");  // 1,024 empty topic names
  for (int i = 0; i < 1024; ++i)
    body += Hex("0000");
  body += Hex("00000000");
  EXPECT_TRUE(DecodeMessage(del, 0, body).ok());
  absl::StatusOr<Struct> limited = DecodeMessage(del, 0, body, {.max_array_elements = 1000});
  EXPECT_EQ(limited.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(KafkaMalformedTest, FlexibleEncodingErrors) {
  const MessageDef& req = FindApi(api_key::kApiVersions)->request;
  EXPECT_TRUE(DecodeMessage(req, 3,
                            Hex("01"
                                "01"
                                "00"))
                  .ok());  // two empty strings, no tags
  EXPECT_FALSE(DecodeMessage(req, 3,
                             Hex("00"
                                 "01"
                                 "00"))
                   .ok());  // null: not nullable
  EXPECT_FALSE(DecodeMessage(req, 3,
                             Hex("01"
                                 "01"
                                 "01"))
                   .ok());  // one tag, truncated
  EXPECT_FALSE(DecodeMessage(req, 3,
                             Hex("01"
                                 "01"
                                 "01"
                                 "00"
                                 "05"
                                 "00"))
                   .ok());  // tag of 5, 1 byte
  EXPECT_TRUE(DecodeMessage(req, 3,
                            Hex("01"
                                "01"
                                "01"
                                "07"
                                "02"
                                "abcd"))
                  .ok());                                         // unknown tag skipped
  EXPECT_FALSE(DecodeMessage(req, 3, Hex("ffffffffff0f")).ok());  // varint over 32 bits
  EXPECT_FALSE(DecodeMessage(req, 3, Hex("ffffffff")).ok());      // unterminated varint
}

TEST(KafkaMalformedTest, HeaderErrors) {
  EXPECT_FALSE(DecodeRequest(Hex("0012")).ok());
  EXPECT_FALSE(DecodeRequest(Hex("0012"
                                 "0000"
                                 "00000001"
                                 "fffe"))
                   .ok());  // client id -2
  EXPECT_FALSE(DecodeRequest(Hex("0012"
                                 "0000"
                                 "00000001"
                                 "0005"
                                 "61"))
                   .ok());
  EXPECT_EQ(DecodeRequest(Hex("7000"
                              "0000"
                              "00000001"
                              "ffff"))
                .status()
                .code(),
            absl::StatusCode::kUnimplemented);  // unknown api key
  // v3 header without its tag section
  EXPECT_FALSE(DecodeRequest(Hex("0012"
                                 "0003"
                                 "00000001"
                                 "ffff"))
                   .ok());
}

TEST(KafkaMalformedTest, FrameSizes) {
  EXPECT_EQ(ParseFrameSize(Hex("ffffffff"), 100).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFrameSize(Hex("00000065"), 100).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(*ParseFrameSize(Hex("00000064"), 100), 100u);
  EXPECT_FALSE(ParseFrameSize(Hex("0000"), 100).ok());
}

}  // namespace
}  // namespace choreo::kafka
