#include "broker/security/authenticator.h"

#include <variant>

namespace choreo::broker {
namespace {

constexpr std::string_view kWrongCredentials = "wrong user name or password";

// A made-up credential for a user that does not exist: the salt is stable per name (a second
// attempt must not reveal the user is unknown by a new salt) and the keys match no password.
proto::scram::Credential DecoyCredential(std::string_view user) {
  static const std::string secret = proto::scram::RandomBytes(32);
  proto::scram::Credential credential;
  credential.salt =
      proto::scram::HmacSha256(secret, std::string(user)).substr(0, proto::scram::kSaltBytes);
  credential.iterations = proto::scram::kMinIterations;
  credential.stored_key = proto::scram::RandomBytes(proto::scram::kKeyBytes);
  credential.server_key = proto::scram::RandomBytes(proto::scram::kKeyBytes);
  return credential;
}

}  // namespace

std::vector<std::string> SaslAuthenticator::Mechanisms(bool tls) {
  std::vector<std::string> out{std::string(proto::scram::kScramSha256)};
  if (tls) out.emplace_back(proto::scram::kPlain);
  return out;
}

SaslAuthenticator::Outcome SaslAuthenticator::Fail(std::string error, std::string reason) {
  phase_ = Phase::kOver;
  Outcome outcome;
  outcome.state = Outcome::State::kFailed;
  outcome.error = std::move(error);
  outcome.reason = std::move(reason);
  return outcome;
}

SaslAuthenticator::Outcome SaslAuthenticator::Step(std::string_view mechanism,
                                                   std::string_view bytes) {
  switch (phase_) {
    case Phase::kStart:
      return Start(mechanism, bytes);
    case Phase::kScramFinal: {
      phase_ = Phase::kOver;
      const proto::scram::Step verdict = scram_.HandleClientFinal(bytes);
      if (!verdict.ok) {
        // The peer learns nothing about whether the user exists; the log does.
        const bool replay = verdict.message.find("nonce mismatch") != std::string::npos;
        return Fail(replay ? verdict.message : std::string(kWrongCredentials),
                    known_user_ ? verdict.message : "unknown user " + user_);
      }
      Outcome outcome;
      outcome.state = Outcome::State::kDone;
      outcome.response = verdict.message;
      outcome.principal = user_;
      return outcome;
    }
    case Phase::kOver:
      break;
  }
  return Fail("the SASL exchange is over", "a SASL step after the exchange ended");
}

SaslAuthenticator::Outcome SaslAuthenticator::Start(std::string_view mechanism,
                                                    std::string_view bytes) {
  mechanism_ = std::string(mechanism);
  if (mechanism == proto::scram::kPlain) {
    if (!tls_) {
      return Fail(
          "PLAIN sends the password itself and is refused on a connection without TLS: "
          "use SCRAM-SHA-256, or connect with TLS",
          "PLAIN without TLS");
    }
    return Plain(bytes);
  }
  if (mechanism != proto::scram::kScramSha256) {
    return Fail("unsupported SASL mechanism '" + std::string(mechanism) +
                    "': this connection may use SCRAM-SHA-256" + (tls_ ? " or PLAIN" : ""),
                "unsupported mechanism");
  }
  auto first = proto::scram::ScramServer::ParseClientFirst(bytes);
  if (auto* error = std::get_if<std::string>(&first)) return Fail(*error, *error);
  auto& parsed = std::get<proto::scram::ScramServer::ClientFirst>(first);
  user_ = parsed.user;
  std::optional<proto::scram::Credential> credential = users_.Find(user_);
  known_user_ = credential.has_value();
  if (!credential) credential = DecoyCredential(user_);
  Outcome outcome;
  outcome.state = Outcome::State::kContinue;
  outcome.response = scram_.ServerFirst(std::move(parsed), *std::move(credential));
  phase_ = Phase::kScramFinal;
  return outcome;
}

SaslAuthenticator::Outcome SaslAuthenticator::Plain(std::string_view bytes) {
  auto parsed = proto::scram::ParsePlain(bytes);
  if (auto* error = std::get_if<std::string>(&parsed)) return Fail(*error, *error);
  const auto& plain = std::get<proto::scram::PlainMessage>(parsed);
  user_ = plain.user;
  const std::optional<proto::scram::Credential> credential = users_.Find(user_);
  if (!credential) return Fail(std::string(kWrongCredentials), "unknown user " + user_);
  if (!proto::scram::VerifyPassword(*credential, plain.password)) {
    return Fail(std::string(kWrongCredentials), "wrong password for " + user_);
  }
  phase_ = Phase::kOver;
  Outcome outcome;
  outcome.state = Outcome::State::kDone;
  outcome.principal = user_;
  return outcome;
}

}  // namespace choreo::broker
