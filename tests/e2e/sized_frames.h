// Raw protocol connections in end-to-end tests: choreo's frames and Kafka's are both a 4-byte
// big-endian size, then the body, so tests that drive either by hand read them the same way.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace choreo::e2e {

// Reads one frame and returns its body; nullopt if the connection closed (or failed) first.
inline std::optional<std::string> ReadSizedFrame(asio::ip::tcp::socket& socket) {
  unsigned char size[4];
  asio::error_code ec;
  asio::read(socket, asio::buffer(size), ec);
  if (ec) return std::nullopt;
  std::string body(
      (size_t{size[0]} << 24) | (size_t{size[1]} << 16) | (size_t{size[2]} << 8) | size_t{size[3]},
      '\0');
  asio::read(socket, asio::buffer(body), ec);
  if (ec) return std::nullopt;
  return body;
}

// Whether the peer has closed the connection: blocks until it reads EOF or a reset (true) or a
// byte arrives (false).
inline bool PeerClosed(asio::ip::tcp::socket& socket) {
  asio::error_code ec;
  char byte;
  asio::read(socket, asio::buffer(&byte, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace choreo::e2e
