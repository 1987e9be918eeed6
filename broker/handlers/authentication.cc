#include "broker/handlers/authentication.h"

#include <absl/strings/str_cat.h>

#include "broker/handlers/response_util.h"
#include "broker/security/security.h"

namespace choreo::broker {
namespace {

AuthenticationStep Refusal(BrokerServices& services, ConnectionState& connection,
                           const proto::Request& request, std::string_view mechanism,
                           std::string message, std::string_view reason) {
  services.security.failures().Failed(mechanism, connection.peer(), reason,
                                      AuthFailures::Clock::now());
  AuthenticationStep step;
  step.response = ErrorResponse(request.correlation_id(), proto::AUTHENTICATION_FAILED,
                                absl::StrCat("authentication failed: ", message));
  step.close = true;
  step.reason = absl::StrCat("authentication failed: ", std::string(reason));
  return step;
}

}  // namespace

void AuthenticateTransport(Security& security, ConnectionState& connection) {
  if (!security.enabled()) {
    connection.Authenticate(std::string(kAnonymousPrincipal));
  } else if (security.mode() == AuthMode::kMtls && connection.certificate_principal()) {
    connection.Authenticate(*connection.certificate_principal());
  }
}

bool NeedsAuthentication(const ConnectionState& connection, const proto::Request& request) {
  if (request.body_case() == proto::Request::kSaslAuthenticate) return true;
  return !connection.authenticated() && request.body_case() != proto::Request::kHandshake;
}

AuthenticationStep HandleAuthentication(BrokerServices& services, ConnectionState& connection,
                                        const proto::Request& request) {
  Security& security = services.security;
  if (request.body_case() != proto::Request::kSaslAuthenticate) {
    if (security.mode() == AuthMode::kMtls) {
      return Refusal(services, connection, request, "mtls",
                     "this broker authenticates clients by their TLS certificate, and this "
                     "connection has none with a usable principal",
                     "no client certificate principal");
    }
    return Refusal(services, connection, request, "none",
                   "this broker requires authentication: authenticate with SaslAuthenticate "
                   "after the handshake (choreo --user, ClientOptions::sasl)",
                   "request before authentication");
  }
  AuthenticationStep step;
  if (connection.authenticated() || security.mode() != AuthMode::kSasl) {
    step.response = ErrorResponse(request.correlation_id(), proto::INVALID_REQUEST,
                                  connection.authenticated()
                                      ? "this connection is already authenticated"
                                      : "this broker does not use SASL (--auth is not sasl)");
    return step;
  }
  const proto::SaslAuthenticateRequest& sasl = request.sasl_authenticate();
  std::unique_ptr<SaslAuthenticator>& exchange = connection.sasl();
  if (!exchange) {
    std::chrono::seconds retry_after{0};
    if (!security.failures().Admit(connection.peer(), AuthFailures::Clock::now(), &retry_after)) {
      step.response = ErrorResponse(
          request.correlation_id(), proto::AUTHENTICATION_FAILED,
          absl::StrCat("authentication failed: too many failed attempts from this address; "
                       "retry in ",
                       retry_after.count(), " s"));
      step.close = true;
      step.reason = "authentication rate limited";
      return step;
    }
    exchange = std::make_unique<SaslAuthenticator>(security.users(), connection.tls());
  }
  const std::string mechanism =
      exchange->mechanism().empty() ? sasl.mechanism() : exchange->mechanism();
  SaslAuthenticator::Outcome outcome = exchange->Step(mechanism, sasl.auth_bytes());
  if (outcome.state == SaslAuthenticator::Outcome::State::kFailed) {
    return Refusal(services, connection, request, mechanism, outcome.error, outcome.reason);
  }
  step.response.set_correlation_id(request.correlation_id());
  proto::SaslAuthenticateResponse* body = step.response.mutable_sasl_authenticate();
  body->set_auth_bytes(outcome.response);
  if (outcome.state == SaslAuthenticator::Outcome::State::kDone) {
    body->set_complete(true);
    body->set_principal(outcome.principal);
    security.failures().Succeeded(connection.peer());
    connection.Authenticate(std::move(outcome.principal));
  }
  return step;
}

}  // namespace choreo::broker
