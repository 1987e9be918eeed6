// Principals: who a connection is, once authenticated (README "Authentication and ACLs").
//
//   - SASL (SCRAM-SHA-256, PLAIN): the user name, e.g. "order-service";
//   - mutual TLS: the client certificate's subject in RFC 2253 form, e.g.
//     "CN=order-service,O=shop" (--mtls-principal=subject), or its common name alone
//     ("order-service", --mtls-principal=cn).
//   - authentication off: kAnonymousPrincipal (ACLs are not checked then).
//
// User names are 1-255 bytes of [A-Za-z0-9._@-], so a user never looks like a subject (no '=' or
// ','), and SCRAM's name escaping never applies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;

namespace choreo::broker {

inline constexpr std::string_view kAnonymousPrincipal = "ANONYMOUS";

bool ValidUserName(std::string_view name);
// Printable ASCII (0x20-0x7e), 1-1024 bytes: what an ACL may name.
bool ValidPrincipal(std::string_view principal);

enum class MtlsPrincipal { kSubject, kCommonName };

// The principal of the peer certificate of a TLS session (after a successful handshake), or
// nullopt when the peer sent none (or it has no common name, with kCommonName).
std::optional<std::string> CertificatePrincipal(SSL* ssl, MtlsPrincipal form);

}  // namespace choreo::broker
