// Definitions of the SASL APIs (KIP-43, KIP-152): SaslHandshake, which picks the mechanism, and
// SaslAuthenticate, which carries the mechanism's bytes. Written from the Kafka protocol's
// documented message definitions; see README.md for the conventions.
#include <cstdint>

#include "broker/kafka/schema.h"

namespace choreo::kafka {
namespace {

using T = FieldType;

ApiDef SaslHandshakeApi() {
  // v1 has v0's schema; it means "SaslAuthenticate requests follow" where v0 means raw SASL tokens
  // framed by a size only. Never flexible.
  ApiDef api{api_key::kSaslHandshake, "SaslHandshake", {0, 1}, {}, {}};
  api.request = {"SaslHandshakeRequest", kMaxVersion, {Field("mechanism", T::kString)}};
  api.response = {"SaslHandshakeResponse",
                  kMaxVersion,
                  {
                      Field("error_code", T::kInt16),
                      ScalarArray("mechanisms", T::kString),
                  }};
  return api;
}

ApiDef SaslAuthenticateApi() {
  // v1 adds the session lifetime to the response (0: no re-authentication); v2 is flexible.
  ApiDef api{api_key::kSaslAuthenticate, "SaslAuthenticate", {0, 2}, {}, {}};
  api.request = {"SaslAuthenticateRequest", 2, {Field("auth_bytes", T::kBytes)}};
  api.response = {"SaslAuthenticateResponse",
                  2,
                  {
                      Field("error_code", T::kInt16),
                      Field("error_message", T::kString).Nullable().DefaultNull(),
                      Field("auth_bytes", T::kBytes),
                      Field("session_lifetime_ms", T::kInt64).From(1),
                  }};
  return api;
}

}  // namespace

void AddSecurityApis(std::vector<ApiDef>* apis) {
  apis->push_back(SaslHandshakeApi());
  apis->push_back(SaslAuthenticateApi());
}

}  // namespace choreo::kafka
