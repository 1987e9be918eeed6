// Parsing of the "host:port" strings in ClientOptions::broker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "choreo/client/status.h"

namespace choreo::client_internal {

struct BrokerAddress {
  std::string host;
  uint16_t port = 0;
};

// "host:port", with IPv6 hosts in brackets.
std::string ToString(const BrokerAddress& address);

// Accepts "host:port", "host" (default port 7420), "[v6-address]:port" and "[v6-address]".
// Errors: kInvalidArgument for an empty host or a port that is not a number in 1..65535.
Result<BrokerAddress> ParseBrokerAddress(std::string_view text);

}  // namespace choreo::client_internal
