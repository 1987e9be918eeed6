#include "client/connection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "choreo/common/big_endian.h"
#include "tests/client/fake_broker.h"

namespace choreo::client_internal {
namespace {

using std::chrono::milliseconds;
using testing::FakeBroker;
using testing::FakeSession;

constexpr milliseconds kLong{10000};

ClientOptions OptionsFor(const FakeBroker& broker) {
  ClientOptions options;
  options.broker = broker.address();
  options.client_id = "connection-test";
  options.connect_timeout = milliseconds(5000);
  return options;
}

// A metadata request naming `topic`; the fake brokers below echo the name back, so a response can
// be matched to its request independently of correlation ids.
proto::Request MetadataFor(const std::string& topic) {
  proto::Request request;
  request.mutable_metadata()->add_topics(topic);
  return request;
}

proto::Response EchoMetadata(const proto::Request& request) {
  proto::Response response = FakeBroker::ResponseTo(request);
  response.mutable_metadata()->add_topics()->set_name(request.metadata().topics(0));
  return response;
}

std::unique_ptr<Connection> OpenOrDie(const ClientOptions& options) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(connection).value() : nullptr;
}

TEST(ConnectionTest, HandshakeReadsBrokerLimits) {
  FakeBroker broker([](const proto::Request&, FakeSession&) {});
  proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
  handshake.set_protocol_minor(7);  // a newer minor version is fine
  handshake.set_max_frame_bytes(123456);
  handshake.set_max_in_flight(9);
  broker.SetHandshake(handshake);
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  EXPECT_TRUE(connection->IsOpen());
  EXPECT_EQ(connection->broker().protocol_minor, 7u);
  EXPECT_EQ(connection->broker().max_frame_bytes, 123456u);
  EXPECT_EQ(connection->broker().max_in_flight, 9u);
  EXPECT_EQ(connection->broker().broker_version, "fake");
}

TEST(ConnectionTest, RejectsNewerMajorVersion) {
  FakeBroker broker([](const proto::Request&, FakeSession&) {});
  proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
  handshake.set_protocol_major(2);
  broker.SetHandshake(handshake);
  Result<std::unique_ptr<Connection>> connection = Connection::Open(OptionsFor(broker));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), ErrorCode::kUnsupportedVersion);
}

TEST(ConnectionTest, UnansweredHandshakeTimesOut) {
  FakeBroker broker([](const proto::Request&, FakeSession&) {});
  broker.SetHandshake(FakeBroker::DefaultHandshake(), /*answer_handshake=*/false);
  ClientOptions options = OptionsFor(broker);
  options.connect_timeout = milliseconds(200);
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), ErrorCode::kTimeout) << connection.status().ToString();
}

TEST(ConnectionTest, RefusedConnectionFails) {
  std::string address;
  {
    FakeBroker broker([](const proto::Request&, FakeSession&) {});
    address = broker.address();
  }  // nothing listens there any more
  ClientOptions options;
  options.broker = address;
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), ErrorCode::kConnectionFailed);
}

TEST(ConnectionTest, BadAddressIsInvalidArgument) {
  ClientOptions options;
  options.broker = "localhost:notaport";
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ConnectionTest, MatchesPipelinedResponsesArrivingOutOfOrder) {
  constexpr int kRequests = 16;
  std::vector<proto::Request> held;  // server thread only
  FakeBroker broker([&held](const proto::Request& request, FakeSession& session) {
    held.push_back(request);
    if (held.size() < kRequests) return;
    // Everything arrived before anything was answered: the client pipelines. Answer backwards.
    for (auto it = held.rbegin(); it != held.rend(); ++it)
      session.Reply(EchoMetadata(*it));
  });
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  std::vector<std::future<Result<proto::Response>>> futures;
  for (int i = 0; i < kRequests; ++i) {
    futures.push_back(connection->Send(MetadataFor("topic-" + std::to_string(i)), kLong));
  }
  std::set<uint64_t> ids;
  for (int i = 0; i < kRequests; ++i) {
    Result<proto::Response> response = futures[i].get();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->metadata().topics(0).name(), "topic-" + std::to_string(i));
    ids.insert(response->correlation_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRequests));
}

TEST(ConnectionTest, ConnectionLossFailsEveryPendingRequestOnce) {
  int received = 0;  // server thread only
  FakeBroker broker([&received](const proto::Request&, FakeSession& session) {
    if (++received == 3) session.Close();
  });
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  std::atomic<int> calls[3] = {0, 0, 0};
  std::vector<std::promise<Status>> outcomes(3);
  for (int i = 0; i < 3; ++i) {
    connection->Send(MetadataFor("t"), kLong, [&, i](Result<proto::Response> response) {
      if (calls[i].fetch_add(1) == 0) outcomes[i].set_value(response.status());
    });
  }
  for (int i = 0; i < 3; ++i) {
    Status status = outcomes[i].get_future().get();
    EXPECT_EQ(status.code(), ErrorCode::kConnectionFailed) << status.ToString();
  }
  EXPECT_FALSE(connection->IsOpen());
  Result<proto::Response> late = connection->Call(MetadataFor("t"), kLong);
  EXPECT_EQ(late.status().code(), ErrorCode::kConnectionFailed);
  connection->Close();  // joins the I/O thread: every callback has run by now
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(calls[i].load(), 1);
}

TEST(ConnectionTest, OversizedResponseFrameFailsPendingRequests) {
  FakeBroker broker([](const proto::Request&, FakeSession& session) {
    char header[4];
    PutBigEndian32(header, 1 << 30);  // announce 1 GiB; the client must not allocate it
    session.SendRaw(std::string_view(header, 4));
  });
  ClientOptions options = OptionsFor(broker);
  options.max_frame_bytes = 64 * 1024;
  std::unique_ptr<Connection> connection = OpenOrDie(options);
  ASSERT_NE(connection, nullptr);
  Result<proto::Response> response = connection->Call(MetadataFor("t"), kLong);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kProtocolError) << response.status().ToString();
  EXPECT_FALSE(connection->IsOpen());
}

TEST(ConnectionTest, RequestOverFrameLimitIsRejectedLocally) {
  int received = 0;  // server thread only; checked through the echo below
  FakeBroker broker([&received](const proto::Request& request, FakeSession& session) {
    ++received;
    proto::Response response = EchoMetadata(request);
    response.mutable_metadata()->set_broker_id(std::to_string(received));
    session.Reply(response);
  });
  proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
  handshake.set_max_frame_bytes(2048);  // lower than the client's own limit
  broker.SetHandshake(handshake);
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  Result<proto::Response> big = connection->Call(MetadataFor(std::string(4096, 'x')), kLong);
  EXPECT_EQ(big.status().code(), ErrorCode::kMessageTooLarge);
  Result<proto::Response> small = connection->Call(MetadataFor("t"), kLong);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->metadata().broker_id(), "1");  // the big one never reached the broker
}

TEST(ConnectionTest, TimedOutRequestLeavesConnectionUsable) {
  FakeBroker broker([](const proto::Request& request, FakeSession& session) {
    if (request.metadata().topics(0) != "ignored") session.Reply(EchoMetadata(request));
  });
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  Result<proto::Response> ignored = connection->Call(MetadataFor("ignored"), milliseconds(100));
  EXPECT_EQ(ignored.status().code(), ErrorCode::kTimeout);
  Result<proto::Response> answered = connection->Call(MetadataFor("answered"), kLong);
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->metadata().topics(0).name(), "answered");
}

TEST(ConnectionTest, CloseFailsPendingWithClosed) {
  FakeBroker broker([](const proto::Request&, FakeSession&) {});  // never answers
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  std::future<Result<proto::Response>> pending = connection->Send(MetadataFor("t"), kLong);
  connection->Close();
  EXPECT_EQ(pending.get().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(connection->Call(MetadataFor("t"), kLong).status().code(), ErrorCode::kClosed);
  connection->Close();  // idempotent
}

TEST(ConnectionTest, UnsolicitedBrokerErrorFailsPendingRequests) {
  FakeBroker broker([](const proto::Request&, FakeSession& session) {
    proto::Response response;  // correlation id 0: not an answer to any request
    response.mutable_error()->set_code(proto::RESOURCE_EXHAUSTED);
    response.mutable_error()->set_message("too many connections");
    session.Reply(response);
    session.Close();
  });
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  Result<proto::Response> response = connection->Call(MetadataFor("t"), kLong);
  EXPECT_EQ(response.status().code(), ErrorCode::kConnectionFailed);
  EXPECT_NE(response.status().message().find("too many connections"), std::string::npos)
      << response.status().ToString();
}

TEST(ConnectionTest, RespectsBrokerMaxInFlight) {
  constexpr int kLimit = 2;
  constexpr int kRequests = 7;
  // For each request, how many responses the broker had sent when it arrived. With at most kLimit
  // in flight, request i can only have been sent after response i - kLimit arrived.
  std::mutex mu;
  std::vector<int> answered_before;  // guarded by mu
  std::vector<proto::Request> held;  // server thread only
  int answered = 0;                  // server thread only
  FakeBroker broker([&](const proto::Request& request, FakeSession& session) {
    {
      std::lock_guard<std::mutex> lock(mu);
      answered_before.push_back(answered);
    }
    held.push_back(request);
    if (held.size() < kLimit && request.metadata().topics(0) != "last") return;
    for (const proto::Request& r : held)
      session.Reply(EchoMetadata(r));
    answered += static_cast<int>(held.size());
    held.clear();
  });
  proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
  handshake.set_max_in_flight(kLimit);
  broker.SetHandshake(handshake);
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  std::vector<std::future<Result<proto::Response>>> futures;
  for (int i = 0; i < kRequests; ++i) {
    futures.push_back(connection->Send(MetadataFor(i + 1 == kRequests ? "last" : "t"), kLong));
  }
  for (auto& future : futures)
    ASSERT_TRUE(future.get().ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(answered_before.size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_GE(answered_before[i], i - kLimit + 1) << "request " << i;
  }
}

TEST(ConnectionTest, ConcurrentSendersGetTheirOwnResponses) {
  FakeBroker broker([](const proto::Request& request, FakeSession& session) {
    session.Reply(EchoMetadata(request));
  });
  std::unique_ptr<Connection> connection = OpenOrDie(OptionsFor(broker));
  ASSERT_NE(connection, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<Result<proto::Response>>> futures;
      for (int i = 0; i < kPerThread; ++i) {
        futures.push_back(
            connection->Send(MetadataFor(std::to_string(t) + "/" + std::to_string(i)), kLong));
      }
      for (int i = 0; i < kPerThread; ++i) {
        Result<proto::Response> response = futures[i].get();
        if (!response.ok() ||
            response->metadata().topics(0).name() != std::to_string(t) + "/" + std::to_string(i)) {
          ++mismatches;
        }
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace choreo::client_internal
