// Connection options shared by Admin, Producer and Consumer.
//
// Each Admin, Producer and Consumer owns one TCP connection to the broker, opened (and handshaken)
// when the object is created. The Producer re-establishes a lost connection itself and resends
// what was unacknowledged (see producer.h); consumer.h says what the Consumer does. An Admin does
// not: every call after the loss fails with kConnectionFailed, and the caller creates a new one.
#pragma once

#include <chrono>
#include <string>

namespace choreo {

// The broker's default port. choreod listens on localhost:7420 unless told otherwise.
inline constexpr int kDefaultBrokerPort = 7420;

struct ClientOptions {
  // "host:port" of the broker. Default: "localhost:7420".
  std::string broker = "localhost:7420";
  // Sent in the handshake and shown in the broker's logs. Default: "choreo-client".
  std::string client_id = "choreo-client";
  // How long to wait for the TCP connection and handshake. Default: 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  // How long to wait for any single response. Default: 30 s.
  std::chrono::milliseconds request_timeout{30000};
  // Largest frame this client accepts from the broker; a larger one closes the connection
  // (kProtocolError). Requests are limited to the smaller of this and the broker's announced limit
  // and fail with kMessageTooLarge, unsent, above it. Must be at least 1024. Default: 64 MiB.
  uint64_t max_frame_bytes = 64ull << 20;
};

}  // namespace choreo
