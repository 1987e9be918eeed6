// FaultProxy: a TCP proxy between a client and a broker that injects network faults into choreo's
// framed protocol, for end-to-end tests of the producer's retries.
//
// It listens on 127.0.0.1 port 0 and, for every client connection, opens one to the broker at
// 127.0.0.1:upstream_port. Each direction is forwarded frame by frame (4-byte big-endian length,
// then the body), and before forwarding a frame a seeded RNG decides whether to
//  - drop the connection (both sides closed) instead of forwarding a request: the request is lost;
//  - drop the connection instead of forwarding a response: the request may have been executed, but
//    the client never learns its outcome;
//  - discard a response and keep the connection: the client's request times out;
//  - delay a response (and, TCP being ordered, everything behind it) by up to max_delay.
// Faults can be changed or switched off (a default Faults) at any time.
//
// Threads: one accepting, two per proxied connection (plain blocking sockets). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace choreo::e2e {

class FaultProxy {
 public:
  // Probabilities per frame, each in [0, 1].
  struct Faults {
    double drop_request = 0;
    double drop_response = 0;
    double discard_response = 0;
    double delay_response = 0;
    std::chrono::milliseconds max_delay{100};
  };
  struct Stats {
    int connections = 0;
    int dropped_requests = 0;
    int dropped_responses = 0;
    int discarded_responses = 0;
    int delayed_responses = 0;
  };

  FaultProxy(uint16_t upstream_port, uint64_t seed);
  // Stop()s.
  ~FaultProxy();

  // Binds and starts accepting.
  ::testing::AssertionResult Start();
  // Closes the listener and every proxied connection, and joins all threads. Idempotent.
  void Stop();

  void SetFaults(const Faults& faults);
  // New connections go to this broker port (existing ones are unaffected).
  void SetUpstreamPort(uint16_t port);
  // "127.0.0.1:PORT" to give to clients.
  std::string address() const;
  Stats stats();

 private:
  class Link;
  enum class Verdict { kForward, kDrop, kDiscard, kDelay };

  void AcceptLoop();
  Verdict Decide(bool response, std::chrono::milliseconds* delay);

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<uint16_t> upstream_port_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  std::mutex mu_;
  std::mt19937_64 random_;                    // guarded by mu_
  Faults faults_;                             // guarded by mu_
  Stats stats_;                               // guarded by mu_
  std::vector<std::unique_ptr<Link>> links_;  // guarded by mu_
};

}  // namespace choreo::e2e
