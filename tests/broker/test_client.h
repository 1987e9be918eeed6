// A minimal blocking client for broker tests: raw frames over a TCP socket, with a deadline on
// every read so a broken broker fails the test instead of hanging it.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/proto/choreo.pb.h"

namespace choreo::broker::testing {

class TestClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

  // Connects to 127.0.0.1:port.
  explicit TestClient(uint16_t port);

  // Writes raw bytes (whole frames, partial frames, garbage).
  void SendRaw(std::string_view bytes);
  // Frames and writes a request. Assigns a correlation id if it has none; returns it.
  uint64_t Send(proto::Request request);
  // Reads one response frame; nullopt on EOF, error or timeout.
  std::optional<proto::Response> Receive(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Send + Receive.
  std::optional<proto::Response> Call(proto::Request request);
  // Handshakes with protocol 1.0; true if the broker accepted.
  bool Handshake();
  // True if the broker closed the connection (EOF or reset) within the timeout, with no more
  // response bytes before that.
  bool WaitForClose(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Half-closes (no more requests) or closes the socket.
  void ShutdownSend();
  void Close();

 private:
  enum class ReadResult { kOk, kClosed, kTimeout };
  ReadResult ReadExact(char* out, size_t n, std::chrono::steady_clock::time_point deadline);

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  uint64_t next_correlation_id_ = 1;
};

}  // namespace choreo::broker::testing
