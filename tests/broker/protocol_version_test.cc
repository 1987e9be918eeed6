// The protocol version has one definition (choreo/proto/protocol_version.h), shared by the broker
// and the client: the broker's names are the same objects (a second definition, even with equal
// values, fails to compile here), and the handshake announces it.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "choreo/proto/protocol_version.h"
#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

// A function, not `a == b` inline: compilers warn about comparing an object's address with itself,
// which is exactly the case this test wants.
constexpr bool SameObject(const uint32_t* a, const uint32_t* b) {
  return a == b;
}

static_assert(SameObject(&kProtocolMajor, &proto::kProtocolMajor),
              "the broker must use the shared protocol version, not its own copy");
static_assert(SameObject(&kProtocolMinor, &proto::kProtocolMinor),
              "the broker must use the shared protocol version, not its own copy");

using ProtocolVersionTest = BrokerFixture;

TEST_F(ProtocolVersionTest, TheHandshakeAnnouncesTheSharedVersion) {
  StartBroker(DefaultOptions());
  TestClient client(broker_->port());
  proto::Request request;
  request.mutable_handshake()->set_protocol_major(proto::kProtocolMajor);
  request.mutable_handshake()->set_protocol_minor(proto::kProtocolMinor);
  std::optional<proto::Response> response = client.Call(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::NONE);
  EXPECT_EQ(response->handshake().protocol_major(), proto::kProtocolMajor);
  EXPECT_EQ(response->handshake().protocol_minor(), proto::kProtocolMinor);
}

}  // namespace
}  // namespace choreo::broker::testing
