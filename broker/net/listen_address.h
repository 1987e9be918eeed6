// Parsing and printing of "HOST:PORT" listen addresses.
#pragma once

#include <absl/status/statusor.h>

#include <asio/ip/tcp.hpp>

#include <string>

namespace choreo::broker {

// Accepts "127.0.0.1:7420", "[::1]:7420", "localhost:0", ":7420" (all IPv4 interfaces). A host
// name is resolved (first result wins). Errors: InvalidArgument.
absl::StatusOr<asio::ip::tcp::endpoint> ResolveListenAddress(const std::string& address);

// "127.0.0.1:7420" or "[::1]:7420".
std::string FormatEndpoint(const asio::ip::tcp::endpoint& endpoint);

}  // namespace choreo::broker
