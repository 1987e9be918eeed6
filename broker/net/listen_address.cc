#include "broker/net/listen_address.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <asio/io_context.hpp>

namespace choreo::broker {

absl::StatusOr<asio::ip::tcp::endpoint> ResolveListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos)
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", address, "' is not HOST:PORT"));
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port > 65535)
    return absl::InvalidArgumentError(absl::StrCat("bad port in listen address '", address, "'"));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";

  asio::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) return asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port));

  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port_text, asio::ip::resolver_base::passive, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve listen host '", host, "': ", ec.message()));
  }
  return results.begin()->endpoint();
}

std::string FormatEndpoint(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address ip = endpoint.address();
  if (ip.is_v6()) return absl::StrCat("[", ip.to_string(), "]:", endpoint.port());
  return absl::StrCat(ip.to_string(), ":", endpoint.port());
}

}  // namespace choreo::broker
