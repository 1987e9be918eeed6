#include "client/authentication.h"

#include <algorithm>
#include <string>

#include "choreo/proto/scram.h"

namespace choreo::client_internal {
namespace {

namespace scram = proto::scram;

Status Failed(const std::string& message) {
  return Status(ErrorCode::kAuthenticationFailed, "authentication failed: " + message);
}

Result<proto::SaslAuthenticateResponse> Step(const AuthCall& call, const std::string& mechanism,
                                             std::string bytes) {
  proto::Request request;
  proto::SaslAuthenticateRequest* step = request.mutable_sasl_authenticate();
  step->set_mechanism(mechanism);
  step->set_auth_bytes(std::move(bytes));
  Result<proto::Response> response = call(std::move(request));
  if (!response.ok()) return response.status();
  return response->sasl_authenticate();
}

Status Scram(const SaslOptions& sasl, const AuthCall& call) {
  scram::ScramClient client(sasl.username, sasl.password);
  Result<proto::SaslAuthenticateResponse> first =
      Step(call, std::string(scram::kScramSha256), client.ClientFirst());
  if (!first.ok()) return first.status();
  const scram::Step final_message = client.ClientFinal(first->auth_bytes());
  if (!final_message.ok) return Failed(final_message.message);
  Result<proto::SaslAuthenticateResponse> last = Step(call, {}, final_message.message);
  if (!last.ok()) return last.status();
  if (!last->complete()) return Failed("the broker did not complete the SCRAM exchange");
  const std::string verified = client.VerifyServerFinal(last->auth_bytes());
  if (!verified.empty()) return Failed(verified);
  return OkStatus();
}

}  // namespace

Status Authenticate(const SaslOptions& sasl, const proto::HandshakeResponse& answer, bool tls,
                    const AuthCall& call) {
  const auto& offered = answer.sasl_mechanisms();
  if (offered.empty()) return OkStatus();  // the broker asks for no SASL exchange
  std::string list;
  for (const std::string& mechanism : offered)
    list += (list.empty() ? "" : ", ") + mechanism;
  if (sasl.username.empty()) {
    return Failed("the broker requires authentication (" + list +
                  "): give a user (ClientOptions::sasl, choreo --user)");
  }
  if (sasl.mechanism == scram::kPlain && !tls) {
    return Failed("PLAIN sends the password itself: it is only used over TLS");
  }
  if (std::find(offered.begin(), offered.end(), sasl.mechanism) == offered.end()) {
    return Failed("this connection may not use " + sasl.mechanism + "; the broker offers " + list);
  }
  if (sasl.mechanism == scram::kScramSha256) return Scram(sasl, call);
  if (sasl.mechanism == scram::kPlain) {
    Result<proto::SaslAuthenticateResponse> done =
        Step(call, std::string(scram::kPlain), scram::EncodePlain(sasl.username, sasl.password));
    if (!done.ok()) return done.status();
    if (!done->complete()) return Failed("the broker did not complete the PLAIN exchange");
    return OkStatus();
  }
  return Failed("unsupported SASL mechanism '" + sasl.mechanism + "'");
}

}  // namespace choreo::client_internal
