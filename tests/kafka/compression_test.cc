// The record batch codecs: round trips, the framings other clients use, corrupt input, and the
// decompressed-size bound.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "broker/kafka/compression.h"
#include "choreo/common/big_endian.h"

#include <snappy.h>

namespace choreo::kafka {
namespace {

constexpr Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                                   Compression::kZstd};

std::string Random(size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  for (char& c : s)
    c = static_cast<char>(rng());
  return s;
}

TEST(KafkaCompressionTest, RoundTrips) {
  const std::string inputs[] = {"", "x", std::string(100000, 'a'), Random(200000),
                                std::string(3 << 20, 'z') + Random(1000)};
  for (Compression codec : kCodecs) {
    for (const std::string& in : inputs) {
      SCOPED_TRACE(std::string(CompressionName(codec)) + " " + std::to_string(in.size()));
      std::string packed;
      ASSERT_TRUE(Compress(codec, in, &packed).ok());
      std::string out = "garbage";
      absl::Status s = Decompress(codec, packed, 8 << 20, &out);
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_EQ(out, in);
    }
  }
}

TEST(KafkaCompressionTest, DecompressedSizeIsBounded) {
  const std::string big(4 << 20, '\0');
  for (Compression codec : kCodecs) {
    SCOPED_TRACE(CompressionName(codec));
    std::string packed;
    ASSERT_TRUE(Compress(codec, big, &packed).ok());
    ASSERT_LT(packed.size(), 300u << 10);
    std::string out;
    EXPECT_EQ(Decompress(codec, packed, (1 << 20), &out).code(),
              absl::StatusCode::kResourceExhausted);
    EXPECT_LE(out.capacity(), (2u << 20) + 64);  // never grew past the bound
    EXPECT_EQ(Decompress(codec, packed, big.size() - 1, &out).code(),
              absl::StatusCode::kResourceExhausted);
    EXPECT_TRUE(Decompress(codec, packed, big.size(), &out).ok());  // exactly at the limit
    EXPECT_EQ(out.size(), big.size());
  }
}

TEST(KafkaCompressionTest, SnappyBlockClaimingAHugeSizeIsRefusedWithoutAllocating) {
  // A raw snappy block whose length prefix claims ~4 GiB (varint ff ff ff ff 0f) and one literal.
  const std::string block("\xff\xff\xff\xff\x0f\x00x", 7);
  std::string out;
  EXPECT_EQ(Decompress(Compression::kSnappy, block, 64 << 20, &out).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_LT(out.capacity(), 1024u);
  // Claims 1 MiB (within the limit) but holds one byte: refused before the 1 MiB is allocated.
  const std::string lie("\x80\x80\x40\x00x", 5);
  EXPECT_EQ(Decompress(Compression::kSnappy, lie, 64 << 20, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_LT(out.capacity(), 1024u);
}

TEST(KafkaCompressionTest, SnappyReadsRawBlocksAndXerialFraming) {
  const std::string in = std::string(70000, 'q') + Random(1000);
  std::string raw;
  snappy::Compress(in.data(), in.size(), &raw);  // what librdkafka sends
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kSnappy, raw, 1 << 20, &out).ok());
  EXPECT_EQ(out, in);

  std::string framed;
  ASSERT_TRUE(Compress(Compression::kSnappy, in, &framed).ok());
  EXPECT_EQ(framed.substr(0, 16), std::string("\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16));
  // Three 32 KiB blocks for 71,000 bytes.
  size_t pos = 16;
  int blocks = 0;
  while (pos < framed.size()) {
    pos += 4 + GetBigEndian32(framed.data() + pos);
    ++blocks;
  }
  EXPECT_EQ(pos, framed.size());
  EXPECT_EQ(blocks, 3);

  std::string cut = framed.substr(0, framed.size() - 1);
  EXPECT_FALSE(Decompress(Compression::kSnappy, cut, 1 << 20, &out).ok());
  std::string bad_size = framed;
  bad_size[16] = '\x80';  // negative block size
  EXPECT_FALSE(Decompress(Compression::kSnappy, bad_size, 1 << 20, &out).ok());
}

TEST(KafkaCompressionTest, Lz4UsesTheFrameFormat) {
  std::string packed;
  ASSERT_TRUE(Compress(Compression::kLz4, "hello", &packed).ok());
  EXPECT_EQ(packed.substr(0, 4), std::string("\x04\x22\x4d\x18", 4));  // magic 0x184D2204, LE
  // FLG: version 01, block independence set; BD: 64 KiB blocks.
  EXPECT_EQ(static_cast<uint8_t>(packed[4]) & 0xE0, 0x60);
  EXPECT_EQ(static_cast<uint8_t>(packed[5]), 0x40);
}

TEST(KafkaCompressionTest, GzipReadsConcatenatedMembers) {
  std::string a;
  std::string b;
  ASSERT_TRUE(Compress(Compression::kGzip, "first ", &a).ok());
  ASSERT_TRUE(Compress(Compression::kGzip, "second", &b).ok());
  std::string out;
  ASSERT_TRUE(Decompress(Compression::kGzip, a + b, 1024, &out).ok());
  EXPECT_EQ(out, "first second");
  EXPECT_FALSE(Decompress(Compression::kGzip, a + "junk", 1024, &out).ok());
}

TEST(KafkaCompressionTest, CorruptAndTruncatedInputIsAnError) {
  const std::string in = Random(5000) + std::string(5000, 'r');
  for (Compression codec : kCodecs) {
    SCOPED_TRACE(CompressionName(codec));
    std::string packed;
    ASSERT_TRUE(Compress(codec, in, &packed).ok());
    std::string out;
    EXPECT_FALSE(Decompress(codec, "", 1 << 20, &out).ok());
    for (size_t n : {size_t{1}, size_t{8}, packed.size() / 2, packed.size() - 1}) {
      EXPECT_FALSE(Decompress(codec, std::string_view(packed).substr(0, n), 1 << 20, &out).ok())
          << n;
    }
    EXPECT_FALSE(Decompress(codec, Random(3000), 1 << 20, &out).ok());
  }
  std::string out;
  EXPECT_EQ(Decompress(Compression::kNone, "x", 10, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decompress(static_cast<Compression>(6), "x", 10, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::kafka
