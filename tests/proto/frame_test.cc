#include "choreo/proto/frame.h"

#include <gtest/gtest.h>

#include <string>

#include "choreo/proto/choreo.pb.h"

namespace choreo::proto {
namespace {

Request MakeRequest(uint64_t id, const std::string& topic) {
  Request request;
  request.set_correlation_id(id);
  request.mutable_metadata()->add_topics(topic);
  return request;
}

TEST(FrameTest, RoundTripsSeveralFramesFedByteByByte) {
  std::string wire;
  for (uint64_t id = 1; id <= 3; ++id)
    ASSERT_TRUE(AppendFrame(MakeRequest(id, "t" + std::to_string(id)), &wire));
  FrameDecoder decoder(1 << 20);
  std::vector<Request> got;
  for (char c : wire) {
    decoder.Feed(std::string_view(&c, 1));
    std::string_view frame;
    while (decoder.Next(&frame) == FrameDecoder::Result::kFrame) {
      Request r;
      ASSERT_TRUE(r.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
      got.push_back(r);
    }
  }
  ASSERT_EQ(got.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].correlation_id(), i + 1);
    EXPECT_EQ(got[i].metadata().topics(0), "t" + std::to_string(i + 1));
  }
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameTest, HeaderIsBigEndianLength) {
  std::string wire;
  Request request = MakeRequest(7, "orders");
  ASSERT_TRUE(AppendFrame(request, &wire));
  ASSERT_EQ(wire.size(), kFrameHeaderBytes + request.ByteSizeLong());
  EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0);
  EXPECT_EQ(static_cast<unsigned char>(wire[3]), request.ByteSizeLong());
}

TEST(FrameTest, OversizeLengthIsRejectedWithoutBuffering) {
  FrameDecoder decoder(1024);
  // Declares 4 GiB - 1 bytes; the decoder must report it from the header alone.
  decoder.Feed(std::string("\xFF\xFF\xFF\xFF", 4));
  std::string_view frame;
  uint64_t declared = 0;
  EXPECT_EQ(decoder.Next(&frame, &declared), FrameDecoder::Result::kTooLarge);
  EXPECT_EQ(declared, 0xFFFFFFFFu);
  EXPECT_LE(decoder.buffered(), 4u);
}

TEST(FrameTest, LengthAtLimitIsAccepted) {
  FrameDecoder decoder(5);
  decoder.Feed(std::string("\0\0\0\x05hello", 9));
  std::string_view frame;
  ASSERT_EQ(decoder.Next(&frame), FrameDecoder::Result::kFrame);
  EXPECT_EQ(frame, "hello");
}

TEST(FrameTest, TruncatedFrameWaitsForMore) {
  std::string wire;
  ASSERT_TRUE(AppendFrame(MakeRequest(1, "orders"), &wire));
  FrameDecoder decoder(1 << 20);
  decoder.Feed(std::string_view(wire).substr(0, wire.size() - 1));
  std::string_view frame;
  EXPECT_EQ(decoder.Next(&frame), FrameDecoder::Result::kNeedMore);
  decoder.Feed(std::string_view(wire).substr(wire.size() - 1));
  EXPECT_EQ(decoder.Next(&frame), FrameDecoder::Result::kFrame);
}

TEST(FrameTest, GarbageBodyIsAFrameThatDoesNotParse) {
  FrameDecoder decoder(1 << 20);
  decoder.Feed(std::string("\0\0\0\x04\xFF\xFF\xFF\xFF", 8));
  std::string_view frame;
  ASSERT_EQ(decoder.Next(&frame), FrameDecoder::Result::kFrame);
  Request r;
  EXPECT_FALSE(r.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
}

TEST(FrameTest, EmptyFrameParsesAsDefaultMessage) {
  FrameDecoder decoder(16);
  decoder.Feed(std::string("\0\0\0\0", 4));
  std::string_view frame;
  ASSERT_EQ(decoder.Next(&frame), FrameDecoder::Result::kFrame);
  EXPECT_TRUE(frame.empty());
}

}  // namespace
}  // namespace choreo::proto
