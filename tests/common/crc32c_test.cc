#include "choreo/common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

#include "choreo/common/big_endian.h"

namespace choreo {
namespace {

// Test vectors from RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32cTest, MatchesRfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i)
    ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i)
    descending[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, CheckValue) {
  EXPECT_EQ(Crc32c(std::string("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeAtEveryLengthAndAlignment) {
  std::string data(300, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>(i * 131 + 7);
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= data.size(); len += 13) {
      EXPECT_EQ(Crc32cExtend(0, data.data() + start, len),
                Crc32cExtendPortable(0, data.data() + start, len))
          << "start=" << start << " len=" << len;
    }
  }
}

TEST(Crc32cTest, ExtendEqualsOneShot) {
  std::string data = "The quick brown fox jumps over the lazy dog";
  uint32_t crc = Crc32c(data.data(), 10);
  crc = Crc32cExtend(crc, data.data() + 10, data.size() - 10);
  EXPECT_EQ(crc, Crc32c(data));
}

TEST(BigEndianTest, RoundTripsAndSortsLikeNumbers) {
  char a[8];
  char b[8];
  PutBigEndian64(a, 255);
  PutBigEndian64(b, 256);
  EXPECT_LT(std::string(a, 8), std::string(b, 8));
  EXPECT_EQ(GetBigEndian64(a), 255u);
  PutBigEndian32(a, 0xDEADBEEF);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0xDE);
  EXPECT_EQ(GetBigEndian32(a), 0xDEADBEEFu);
}

}  // namespace
}  // namespace choreo
