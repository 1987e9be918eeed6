#include "broker/http/http_auth.h"

#include <string>
#include <utility>

#include "broker/security/security.h"
#include "choreo/proto/scram.h"

namespace choreo::broker {
namespace {

HttpResponse Challenge(std::string body) {
  HttpResponse response;
  response.status = 401;
  response.body = std::move(body) + "\n";
  response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"choreo\", charset=\"UTF-8\"");
  return response;
}

// The user of valid Basic credentials, or "" (with `*why` for the log).
std::string BasicUser(Security& security, const HttpRequest& request, std::string* why) {
  std::optional<std::string_view> header = request.Header("authorization");
  if (!header || header->substr(0, 6) != "Basic ") {
    *why = "no credentials";
    return {};
  }
  std::optional<std::string> decoded = proto::scram::Base64Decode(header->substr(6));
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    *why = "malformed Basic credentials";
    return {};
  }
  const std::string user = decoded->substr(0, colon);
  std::optional<proto::scram::Credential> credential = security.users().Find(user);
  if (!credential || !proto::scram::VerifyPassword(*credential, decoded->substr(colon + 1))) {
    *why = credential ? "wrong password for " + user : "unknown user " + user;
    return {};
  }
  return user;
}

}  // namespace

HttpServer::Handler RequireHttpCredentials(Security& security, bool tls,
                                           HttpServer::Handler handler) {
  if (!security.enabled()) return handler;
  return [&security, tls, handler = std::move(handler)](const HttpRequest& request) {
    if (request.path == "/healthz" || request.path == "/readyz") return handler(request);
    if (!tls) {
      return Challenge(
          "this broker requires credentials, and HTTP Basic credentials are only accepted over "
          "TLS (choreod --tls-cert/--tls-key)");
    }
    std::string why;
    const std::string user = BasicUser(security, request, &why);
    if (user.empty()) {
      security.failures().Failed("http-basic", "http", why, AuthFailures::Clock::now());
      return Challenge("authentication required: HTTP Basic credentials of a choreo user");
    }
    const AclOperation operation =
        request.method == "POST" ? AclOperation::kAlter : AclOperation::kDescribe;
    if (!security.Authorize(user, operation, AclResource::kCluster, kClusterResource)) {
      HttpResponse denied;
      denied.status = 403;
      denied.body = "principal '" + user + "' is not allowed to " + AclOperationName(operation) +
                    " cluster 'cluster'\n";
      return denied;
    }
    return handler(request);
  };
}

}  // namespace choreo::broker
