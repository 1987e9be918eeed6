#include "client/broker_address.h"

#include <gtest/gtest.h>

namespace choreo::client_internal {
namespace {

TEST(BrokerAddressTest, ParsesHostAndPort) {
  Result<BrokerAddress> address = ParseBrokerAddress("broker.local:9000");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "broker.local");
  EXPECT_EQ(address->port, 9000);
}

TEST(BrokerAddressTest, DefaultsThePort) {
  Result<BrokerAddress> address = ParseBrokerAddress("localhost");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "localhost");
  EXPECT_EQ(address->port, 7420);
}

TEST(BrokerAddressTest, ParsesBracketedIpv6) {
  Result<BrokerAddress> address = ParseBrokerAddress("[::1]:7421");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->port, 7421);
  Result<BrokerAddress> no_port = ParseBrokerAddress("[fe80::1]");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->host, "fe80::1");
  EXPECT_EQ(no_port->port, 7420);
}

TEST(BrokerAddressTest, PrintsAddresses) {
  EXPECT_EQ(ToString(BrokerAddress{"broker.local", 9000}), "broker.local:9000");
  EXPECT_EQ(ToString(BrokerAddress{"::1", 7420}), "[::1]:7420");
}

TEST(BrokerAddressTest, RejectsMalformedAddresses) {
  for (const char* bad : {"", ":7420", "host:", "host:0", "host:65536", "host:12ab", "::1:7420",
                          "[::1", "[::1]x", "[]:7420"}) {
    Result<BrokerAddress> address = ParseBrokerAddress(bad);
    EXPECT_FALSE(address.ok()) << bad;
    if (!address.ok()) {
      EXPECT_EQ(address.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace choreo::client_internal
