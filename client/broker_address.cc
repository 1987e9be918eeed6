#include "client/broker_address.h"

#include <charconv>

#include "choreo/client/options.h"

namespace choreo::client_internal {
namespace {

Status Invalid(std::string_view text, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument,
                "invalid broker address '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::string ToString(const BrokerAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

Result<BrokerAddress> ParseBrokerAddress(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return Invalid(text, "missing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Invalid(text, "expected ':' after ']'");
      port = rest.substr(1);
      if (port.empty()) return Invalid(text, "empty port");
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return Invalid(text, "IPv6 addresses must be written as [address]:port");
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      if (port.empty()) return Invalid(text, "empty port");
    }
  }
  if (host.empty()) return Invalid(text, "empty host");
  BrokerAddress address{std::string(host), static_cast<uint16_t>(kDefaultBrokerPort)};
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Invalid(text, "port must be a number in 1..65535");
    }
    address.port = static_cast<uint16_t>(value);
  }
  return address;
}

}  // namespace choreo::client_internal
