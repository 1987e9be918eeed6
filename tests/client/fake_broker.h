// FakeBroker: a scripted in-process broker for client tests. It listens on 127.0.0.1 port 0,
// answers the handshake itself (with `handshake()`), and hands every other request to the test's
// handler, which decides when and how to answer: immediately, later, out of order, never, or by
// closing the connection. Everything runs on one server thread; handlers run there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "choreo/proto/choreo.pb.h"

namespace choreo::testing {

// One accepted client connection, as seen by a handler.
class FakeSession {
 public:
  virtual ~FakeSession() = default;
  // Writes `response` as one frame (synchronously; fine for test-sized frames).
  virtual void Reply(const proto::Response& response) = 0;
  // Writes raw bytes, e.g. a frame header announcing an oversized frame.
  virtual void SendRaw(std::string_view bytes) = 0;
  // Closes the connection.
  virtual void Close() = 0;
};

class FakeBroker {
 public:
  using Handler = std::function<void(const proto::Request&, FakeSession&)>;

  // Starts listening. `handler` sees every request but the handshake.
  explicit FakeBroker(Handler handler);
  ~FakeBroker();

  std::string address() const;  // "127.0.0.1:PORT"

  // What the handshake answers (protocol 1.0, 1 MiB limits, no in-flight limit by default).
  // With `answer_handshake` false the handshake is never answered. Thread-safe.
  void SetHandshake(const proto::HandshakeResponse& response, bool answer_handshake = true);

  // Protocol 1.0, 1 MiB frame and batch limits, no in-flight limit.
  static proto::HandshakeResponse DefaultHandshake();

  // A response echoing `request`'s correlation id.
  static proto::Response ResponseTo(const proto::Request& request);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::testing
