// Plain POSIX sockets for tests (no Asio, no abseil, so end-to-end tests can use them too):
// RawConnection, a TCP connection to the broker for tests that misbehave on purpose (partial
// frames, garbage, never reading; writes never raise SIGPIPE), and HttpGet for the operator
// endpoints.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace choreo::broker::testing {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port (blocking). A positive `receive_buffer` sets SO_RCVBUF first, so a
  // peer that never reads stalls the broker's writes quickly.
  explicit RawConnection(uint16_t port, int receive_buffer = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all of `bytes`, blocking; gives up silently if the broker closed the connection.
  void SendAll(std::string_view bytes);
  // Writes what the socket takes without blocking; 0 when full or closed.
  size_t TrySend(std::string_view bytes);
  // True once the broker has closed the connection (EOF or reset) within `timeout`; anything it
  // sent before is read and dropped.
  bool WaitForClose(std::chrono::milliseconds timeout);
  // As WaitForClose, appending what was received to `*out` (if not null).
  bool ReadUntilClose(std::string* out, std::chrono::milliseconds timeout);

  // Waits until one of `connections` can take more bytes; false on timeout.
  static bool WaitAnyWritable(const std::vector<RawConnection*>& connections,
                              std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
};
// GET http://127.0.0.1:port/path (one request per connection), waiting up to 10 s.
HttpReply HttpGet(uint16_t port, std::string_view path);

}  // namespace choreo::broker::testing
