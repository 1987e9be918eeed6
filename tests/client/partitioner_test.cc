#include "choreo/client/partitioner.h"

#include <gtest/gtest.h>

#include <string>

namespace choreo {
namespace {

// Apache Kafka's UtilsTest.testMurmur2 vectors (signed results of the Java client).
TEST(PartitionerTest, Murmur2MatchesKafkaJavaClient) {
  EXPECT_EQ(KafkaMurmur2("21"), -973932308);
  EXPECT_EQ(KafkaMurmur2("foobar"), -790332482);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(KafkaMurmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(KafkaMurmur2("abc"), 479470107);
}

// Keys hashed by Kafka's Java client (kafkajs's "defaultJava" fixture, generated with Java).
TEST(PartitionerTest, Murmur2MatchesJavaGeneratedFixture) {
  const std::pair<const char*, int32_t> cases[] = {
      {"0", 971027396},           {"1", -1993445489},        {"128", -326012175},
      {"2187", -1508407203},      {"16384", -325739742},     {"78125", -1654490814},
      {"279936", 1462227128},     {"823543", -2014198330},   {"2097152", 607668903},
      {"4782969", -1182699775},   {"10000000", -1830336757}, {"19487171", -1603849305},
      {"35831808", -857013643},   {"62748517", -1167431028}, {"105413504", -381294639},
      {"170859375", -1658323481}, {"100:48069", 1009543857},
  };
  for (const auto& [key, hash] : cases)
    EXPECT_EQ(KafkaMurmur2(key), hash) << key;
}

TEST(PartitionerTest, PartitionIsPositiveHashModuloCount) {
  // -973932308 & 0x7fffffff = 1173551340.
  EXPECT_EQ(DefaultPartitionForKey("21", 1), 0u);
  EXPECT_EQ(DefaultPartitionForKey("21", 7), 1173551340u % 7);
  EXPECT_EQ(DefaultPartitionForKey("21", 12), 1173551340u % 12);
  // 479470107 is positive already.
  EXPECT_EQ(DefaultPartitionForKey("abc", 10), 479470107u % 10);
  EXPECT_EQ(DefaultPartitionForKey("foobar", 3),
            (static_cast<uint32_t>(-790332482) & 0x7fffffffu) % 3);
}

TEST(PartitionerTest, SameKeySamePartitionAndKeysSpread) {
  uint32_t counts[8] = {};
  for (int i = 0; i < 8000; ++i) {
    const std::string key = "order-" + std::to_string(i);
    const uint32_t p = DefaultPartitionForKey(key, 8);
    ASSERT_EQ(p, DefaultPartitionForKey(key, 8));
    ++counts[p];
  }
  for (uint32_t c : counts)
    EXPECT_GT(c, 800u);  // roughly uniform: 1000 expected each
}

}  // namespace
}  // namespace choreo
