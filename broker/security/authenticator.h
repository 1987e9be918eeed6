// SaslAuthenticator: the broker's side of one connection's SASL exchange (README "Authentication
// and ACLs"), independent of the protocol that carries it: choreo's SaslAuthenticate request, or
// Kafka's SaslHandshake/SaslAuthenticate on the Kafka listener.
//
// Mechanisms: SCRAM-SHA-256 (RFC 5802/7677: client-first -> server-first, client-final ->
// server-final; the server nonce comes from the CSPRNG, so a recorded exchange cannot be replayed)
// and PLAIN (RFC 4616), which sends the password itself and is therefore offered on TLS
// connections only. An unknown user gets a made-up salt and fails at the proof like a wrong
// password, so the exchange does not tell which users exist. PLAIN derives the salted password
// (PBKDF2, `iterations` rounds: about 2 ms at 4096) on the calling thread.
//
// Lifecycle: one per connection; Step() until kDone or kFailed (after which every Step fails).
// Threading: one thread (strand) at a time; `users` is borrowed and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/security/user_store.h"
#include "choreo/proto/scram.h"

namespace choreo::broker {

class SaslAuthenticator {
 public:
  struct Outcome {
    enum class State { kContinue, kDone, kFailed };
    State state = State::kFailed;
    std::string response;   // the bytes to send back (server-first, server-final)
    std::string principal;  // kDone: the user
    std::string error;      // kFailed: for the peer (says nothing about which users exist)
    std::string reason;     // kFailed: for the log (may say "unknown user")
  };

  SaslAuthenticator(const UserStore& users, bool tls) : users_(users), tls_(tls) {}

  // The mechanisms a connection may use: SCRAM-SHA-256, and PLAIN over TLS.
  static std::vector<std::string> Mechanisms(bool tls);

  // One step. `mechanism` is the one the exchange started with (the first step sets it).
  Outcome Step(std::string_view mechanism, std::string_view bytes);

  // The mechanism of the exchange ("" before the first step).
  const std::string& mechanism() const { return mechanism_; }

 private:
  enum class Phase { kStart, kScramFinal, kOver };
  Outcome Fail(std::string error, std::string reason);
  Outcome Start(std::string_view mechanism, std::string_view bytes);
  Outcome Plain(std::string_view bytes);

  const UserStore& users_;
  const bool tls_;
  Phase phase_ = Phase::kStart;
  std::string mechanism_;
  std::string user_;
  bool known_user_ = false;
  proto::scram::ScramServer scram_;
};

}  // namespace choreo::broker
