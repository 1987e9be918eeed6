// Connection-level protocol behaviour: handshake rules and malformed input.
#include <gtest/gtest.h>

#include <set>

#include "choreo/common/big_endian.h"
#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

using ProtocolTest = BrokerFixture;

std::string FrameHeader(uint32_t length) {
  std::string header(4, '\0');
  PutBigEndian32(header.data(), length);
  return header;
}

// The broker still serves a fresh connection.
void ExpectServing(Broker& broker) {
  TestClient client(broker.port());
  ASSERT_TRUE(client.Handshake());
  std::optional<proto::Response> metadata = client.Call(MetadataRequest());
  ASSERT_TRUE(metadata);
  EXPECT_TRUE(metadata->has_metadata());
}

TEST_F(ProtocolTest, HandshakeReportsVersionAndLimits) {
  TestClient client(broker_->port());
  proto::Request request;
  request.set_correlation_id(7);
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_client_id("test");
  std::optional<proto::Response> response = client.Call(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), 7u);
  EXPECT_EQ(response->error().code(), proto::NONE);
  EXPECT_EQ(response->handshake().protocol_major(), 1u);
  EXPECT_EQ(response->handshake().max_frame_bytes(), 1u << 20);
  EXPECT_EQ(response->handshake().max_batch_bytes(), 64u << 10);
  EXPECT_EQ(response->handshake().max_in_flight(), 1024u);
  EXPECT_FALSE(response->handshake().broker_version().empty());
}

TEST_F(ProtocolTest, HandshakeThenMetadata) {
  auto client = Connect();
  std::optional<proto::Response> response = client->Call(MetadataRequest());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::NONE);
  EXPECT_EQ(response->metadata().broker_id(), "choreod");
  EXPECT_EQ(response->metadata().topics_size(), 0);
}

TEST_F(ProtocolTest, NewerMinorVersionIsAccepted) {
  TestClient client(broker_->port());
  proto::Request request;
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_protocol_minor(99);
  std::optional<proto::Response> response = client.Call(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::NONE);
}

TEST_F(ProtocolTest, RequestBeforeHandshakeIsRefusedAndClosed) {
  TestClient client(broker_->port());
  proto::Request request = MetadataRequest();
  request.set_correlation_id(42);
  std::optional<proto::Response> response = client.Call(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), 42u);
  EXPECT_EQ(response->error().code(), proto::HANDSHAKE_REQUIRED);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ProtocolTest, WrongMajorVersionIsRefusedAndClosed) {
  TestClient client(broker_->port());
  proto::Request request;
  request.mutable_handshake()->set_protocol_major(2);
  std::optional<proto::Response> response = client.Call(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::UNSUPPORTED_VERSION);
  EXPECT_EQ(response->handshake().protocol_major(), 1u);  // tells the client what it speaks
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ProtocolTest, OversizeFrameIsRefusedWithoutReadingIt) {
  auto client = Connect();
  // Declares 1 GiB (over the 1 MiB limit) and sends only a little of it.
  client->SendRaw(FrameHeader(1u << 30) + std::string(100, 'x'));
  std::optional<proto::Response> response = client->Receive();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), 0u);
  EXPECT_EQ(response->error().code(), proto::MESSAGE_TOO_LARGE);
  EXPECT_TRUE(client->WaitForClose());
  ExpectServing(*broker_);
}

TEST_F(ProtocolTest, OversizeFrameBeforeHandshakeIsRefused) {
  TestClient client(broker_->port());
  client.SendRaw(FrameHeader((1u << 20) + 1));
  std::optional<proto::Response> response = client.Receive();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::MESSAGE_TOO_LARGE);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ProtocolTest, GarbageFrameIsInvalidRequestAndClosed) {
  auto client = Connect();
  // 0xff... is an unterminated varint tag: not a parsable message.
  client->SendRaw(FrameHeader(4) + "\xff\xff\xff\xff");
  std::optional<proto::Response> response = client->Receive();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), 0u);
  EXPECT_EQ(response->error().code(), proto::INVALID_REQUEST);
  EXPECT_TRUE(client->WaitForClose());
  ExpectServing(*broker_);
}

TEST_F(ProtocolTest, TruncatedFrameThenDisconnectLeavesBrokerServing) {
  {
    auto client = Connect();
    client->SendRaw(FrameHeader(100) + std::string(10, 'x'));
    client->Close();
  }
  {
    TestClient client(broker_->port());
    client.SendRaw(FrameHeader(3));  // header only, before any handshake
    client.ShutdownSend();
    EXPECT_TRUE(client.WaitForClose());
  }
  ExpectServing(*broker_);
}

TEST_F(ProtocolTest, UnknownRequestBodyIsInvalidButConnectionStaysOpen) {
  auto client = Connect();
  proto::Request empty;  // what a newer client's unknown request type looks like to us
  std::optional<proto::Response> response = client->Call(empty);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::INVALID_REQUEST);
  std::optional<proto::Response> metadata = client->Call(MetadataRequest());
  ASSERT_TRUE(metadata);
  EXPECT_TRUE(metadata->has_metadata());
}

TEST_F(ProtocolTest, ResponsesToPipelinedRequestsCarryTheirCorrelationIds) {
  auto client = Connect();
  std::set<uint64_t> sent;
  for (int i = 0; i < 50; ++i)
    sent.insert(client->Send(MetadataRequest()));
  std::set<uint64_t> received;
  for (int i = 0; i < 50; ++i) {
    std::optional<proto::Response> response = client->Receive();
    ASSERT_TRUE(response);
    received.insert(response->correlation_id());
  }
  EXPECT_EQ(sent, received);
}

TEST_F(ProtocolTest, PeerHalfCloseStillGetsItsResponses) {
  auto client = Connect();
  const uint64_t id = client->Send(MetadataRequest());
  client->ShutdownSend();
  std::optional<proto::Response> response = client->Receive();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->correlation_id(), id);
  EXPECT_TRUE(client->WaitForClose());
}

TEST_F(ProtocolTest, ConnectionsOverTheLimitAreRefused) {
  BrokerOptions options = DefaultOptions();
  options.max_connections = 1;
  StartBroker(options);
  auto first = Connect();
  TestClient second(broker_->port());
  std::optional<proto::Response> refused = second.Receive();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error().code(), proto::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(second.WaitForClose());
  // The first connection is unaffected.
  ASSERT_TRUE(first->Call(MetadataRequest()));
}

}  // namespace
}  // namespace choreo::broker::testing
