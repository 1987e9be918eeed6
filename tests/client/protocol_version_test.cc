// A compile-time test: the client speaks the protocol version defined once for broker and client
// (choreo/proto/protocol_version.h). Its names are the same objects, so a second definition, even
// with equal values, fails to compile here.
#include "choreo/proto/protocol_version.h"
#include "client/connection.h"
#include "client/event_index_requests.h"
#include "client/schema_requests.h"

namespace choreo::client_internal {
namespace {

// A function, not `a == b` inline: compilers warn about comparing an object's address with itself,
// which is exactly the case this test wants.
constexpr bool SameObject(const uint32_t* a, const uint32_t* b) {
  return a == b;
}

static_assert(SameObject(&kProtocolMajor, &proto::kProtocolMajor));
static_assert(SameObject(&kProtocolMinor, &proto::kProtocolMinor));
static_assert(SameObject(&kEventIndexMinor, &proto::kEventIndexMinor));
static_assert(SameObject(&kSchemaRegistryMinor, &proto::kSchemaRegistryMinor));

}  // namespace
}  // namespace choreo::client_internal
