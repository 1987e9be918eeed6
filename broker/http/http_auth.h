// The HTTP port with authentication on (--auth=sasl|mtls; README "Authentication and ACLs"):
// `/healthz` and `/readyz` stay open (probes carry no credentials); every other path needs HTTP
// Basic credentials of a stored user (checked like SASL PLAIN against its SCRAM credential), over
// TLS only, since Basic sends the password. GET and HEAD need describe on the cluster, POST (the
// console's state-changing actions) alter on the cluster. Missing or wrong credentials get 401
// with a WWW-Authenticate challenge and count in
// choreo_auth_failures_total{mechanism="http-basic"}; a denied principal gets 403 and counts in
// choreo_authorization_denials_total.
//
// Threading: the wrapped handler runs on the HTTP thread; `security` is thread-safe and outlives
// the handler.
#pragma once

#include "broker/http/http_server.h"

namespace choreo::broker {

class Security;

// `handler` unchanged with authentication off; else wrapped as above. `tls`: whether the HTTP
// listener speaks TLS.
HttpServer::Handler RequireHttpCredentials(Security& security, bool tls,
                                           HttpServer::Handler handler);

}  // namespace choreo::broker
