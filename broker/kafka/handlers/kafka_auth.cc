#include "broker/kafka/handlers/kafka_auth.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "broker/handlers/authentication.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/security/authenticator.h"
#include "broker/security/security.h"
#include "choreo/proto/scram.h"

namespace choreo::broker {
namespace {

using Outcome = KafkaAuthentication::Outcome;

Outcome Close(std::optional<kafka::Struct> body, std::string reason) {
  Outcome outcome;
  outcome.kind = Outcome::Kind::kClose;
  outcome.body = std::move(body);
  outcome.reason = std::move(reason);
  return outcome;
}

Outcome Answer(kafka::Struct body) {
  Outcome outcome;
  outcome.kind = Outcome::Kind::kAnswer;
  outcome.body = std::move(body);
  return outcome;
}

// A SaslAuthenticate response with an error code and message.
kafka::Struct AuthenticateError(const kafka::DecodedRequest& request, int16_t code,
                                std::string message) {
  kafka::Struct body = kafka::NewMessage(request.api->response);
  body.SetInt("error_code", code);
  body.SetString("error_message", std::move(message));
  return body;
}

}  // namespace

void KafkaAuthentication::TransportReady(ConnectionState& connection) {
  connection_ = &connection;
  AuthenticateTransport(security_, connection);
}

Outcome KafkaAuthentication::OnRequest(const kafka::DecodedRequest& request) {
  const int16_t api = request.header.api_key;
  if (api == kafka::api_key::kApiVersions) return {};
  if (api == kafka::api_key::kSaslHandshake) return Handshake(request);
  if (api == kafka::api_key::kSaslAuthenticate) return Authenticate(request);
  if (authenticated()) return {};
  // Kafka closes such a connection without an answer; the client reconnects and authenticates.
  if (connection_ != nullptr) {
    const bool mtls = security_.mode() == AuthMode::kMtls;
    security_.failures().Failed(
        mtls ? "mtls" : "none", connection_->peer(),
        mtls ? "no client certificate principal" : "request before authentication",
        AuthFailures::Clock::now());
  }
  return Close(std::nullopt, absl::StrCat("kafka api ", api,
                                          " before authentication (only ApiVersions, "
                                          "SaslHandshake and SaslAuthenticate may come first)"));
}

Outcome KafkaAuthentication::Handshake(const kafka::DecodedRequest& request) {
  kafka::Struct body = kafka::NewMessage(request.api->response);
  if (security_.mode() != AuthMode::kSasl || connection_ == nullptr) {
    // No mechanism at all: the client's SASL settings do not fit this broker.
    body.SetInt("error_code", kafka_error::kUnsupportedSaslMechanism);
    return Close(std::move(body), "SaslHandshake on a broker without --auth=sasl");
  }
  if (phase_ != Phase::kStart || connection_->authenticated()) {
    body.SetInt("error_code", kafka_error::kIllegalSaslState);
    return Close(std::move(body), "SaslHandshake out of order");
  }
  const std::string& mechanism = request.body.GetString("mechanism");
  const std::vector<std::string> mechanisms = SaslAuthenticator::Mechanisms(connection_->tls());
  for (const std::string& offered : mechanisms)
    body.AddString("mechanisms", offered);
  if (std::find(mechanisms.begin(), mechanisms.end(), mechanism) == mechanisms.end()) {
    body.SetInt("error_code", kafka_error::kUnsupportedSaslMechanism);
    // PLAIN without TLS is a client sending a password in the clear: a failure worth counting.
    if (mechanism == proto::scram::kPlain) {
      security_.failures().Failed(proto::scram::kPlain, connection_->peer(), "PLAIN without TLS",
                                  AuthFailures::Clock::now());
    }
    return Close(std::move(body), absl::StrCat("SaslHandshake: unsupported mechanism (offered ",
                                               absl::StrJoin(mechanisms, ","), ")"));
  }
  mechanism_ = mechanism;
  phase_ = request.header.api_version == 0 ? Phase::kRawTokens : Phase::kRequests;
  return Answer(std::move(body));
}

Outcome KafkaAuthentication::Authenticate(const kafka::DecodedRequest& request) {
  if (security_.mode() != AuthMode::kSasl || phase_ != Phase::kRequests || connection_ == nullptr ||
      connection_->authenticated()) {
    return Close(AuthenticateError(request, kafka_error::kIllegalSaslState,
                                   security_.mode() != AuthMode::kSasl
                                       ? "this broker does not use SASL (--auth is not sasl)"
                                       : "SaslAuthenticate must follow a SaslHandshake v1 and "
                                         "come before authentication is complete"),
                 "SaslAuthenticate out of order");
  }
  Step step = RunStep(request.body.GetString("auth_bytes"));
  if (!step.ok) {
    return Close(
        AuthenticateError(request, kafka_error::kSaslAuthenticationFailed, std::move(step.message)),
        std::move(step.reason));
  }
  kafka::Struct body = kafka::NewMessage(request.api->response);
  body.SetString("auth_bytes", std::move(step.bytes));
  return Answer(std::move(body));
}

Outcome KafkaAuthentication::OnRawToken(std::string_view token) {
  Step step = RunStep(token);
  // A v0 exchange has no error frame: a failure just closes (the peer's log says why).
  if (!step.ok) return Close(std::nullopt, std::move(step.reason));
  Outcome outcome;
  outcome.kind = Outcome::Kind::kAnswer;
  outcome.raw = std::move(step.bytes);
  return outcome;
}

KafkaAuthentication::Step KafkaAuthentication::RunStep(std::string_view bytes) {
  Step step;
  std::unique_ptr<SaslAuthenticator>& exchange = connection_->sasl();
  if (!exchange) {
    std::chrono::seconds retry_after{0};
    if (!security_.failures().Admit(connection_->peer(), AuthFailures::Clock::now(),
                                    &retry_after)) {
      phase_ = Phase::kDone;
      step.message = absl::StrCat(
          "authentication failed: too many failed attempts from this address; "
          "retry in ",
          retry_after.count(), " s");
      step.reason = "authentication rate limited";
      return step;
    }
    exchange = std::make_unique<SaslAuthenticator>(security_.users(), connection_->tls());
  }
  SaslAuthenticator::Outcome outcome = exchange->Step(mechanism_, bytes);
  switch (outcome.state) {
    case SaslAuthenticator::Outcome::State::kFailed:
      phase_ = Phase::kDone;
      security_.failures().Failed(mechanism_, connection_->peer(), outcome.reason,
                                  AuthFailures::Clock::now());
      step.message = absl::StrCat("authentication failed: ", outcome.error);
      step.reason = absl::StrCat("authentication failed: ", outcome.reason);
      return step;
    case SaslAuthenticator::Outcome::State::kDone:
      phase_ = Phase::kDone;
      security_.failures().Succeeded(connection_->peer());
      connection_->Authenticate(std::move(outcome.principal));
      break;
    case SaslAuthenticator::Outcome::State::kContinue:
      break;
  }
  step.ok = true;
  step.bytes = std::move(outcome.response);
  return step;
}

}  // namespace choreo::broker
