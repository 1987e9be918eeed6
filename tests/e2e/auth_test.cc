// Authentication and ACLs end to end (issue 13, items 2 and 3): the real choreod with --auth and
// the client library, plus a raw protocol connection for what a well-behaved client never sends
// (a replayed SCRAM client-final message, PLAIN without TLS, another principal's producer id).
//
// Users and ACLs are made the way an operator bootstraps a broker: first with --auth=none on
// localhost, then the broker restarts with authentication on, which also shows that they are
// stored durably.
#include <gtest/gtest.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "choreo/client/admin.h"
#include "choreo/client/producer.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"
#include "choreo/proto/protocol_version.h"
#include "choreo/proto/scram.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/sized_frames.h"
#include "tests/e2e/test_certs.h"

namespace choreo::e2e {
namespace {

namespace scram = proto::scram;

// GET `path` over plain HTTP from 127.0.0.1:`port`: the whole response, or "" on failure.
std::string HttpGet(uint16_t port, const std::string& path) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  asio::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "";
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  std::string response;
  asio::read(socket, asio::dynamic_buffer(response), ec);
  return response;
}

// GET `path` over HTTPS from 127.0.0.1:`port` (verified against `ca`), with HTTP Basic
// credentials `user:password` unless `user` is empty: the whole response, or "error: ...".
std::string HttpsGet(uint16_t port, const std::string& path, const std::filesystem::path& ca,
                     const std::string& user = {}, const std::string& password = {}) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca.string());
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
  asio::error_code ec;
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return "error: " + ec.message();
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!user.empty()) {
    request += "Authorization: Basic " + scram::Base64Encode(user + ":" + password) + "\r\n";
  }
  request += "\r\n";
  asio::write(stream, asio::buffer(request), ec);
  std::string response;
  asio::read(stream, asio::dynamic_buffer(response), ec);
  return response;
}

// One choreo protocol connection driven by hand (plaintext).
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(io_) {
    asio::error_code ec;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // Sends `request` and reads one response; an empty Response with error UNKNOWN and message
  // "closed" if the broker closed the connection instead.
  proto::Response Call(proto::Request request) {
    request.set_correlation_id(++correlation_);
    std::string frame;
    EXPECT_TRUE(proto::AppendFrame(request, &frame));
    asio::error_code ec;
    asio::write(socket_, asio::buffer(frame), ec);
    proto::Response response;
    const std::optional<std::string> body = ReadSizedFrame(socket_);
    if (!body) {
      response.mutable_error()->set_code(proto::UNKNOWN);
      response.mutable_error()->set_message("closed");
      return response;
    }
    EXPECT_TRUE(response.ParseFromString(*body));
    return response;
  }

  proto::HandshakeResponse Handshake() {
    proto::Request request;
    request.mutable_handshake()->set_protocol_major(proto::kProtocolMajor);
    request.mutable_handshake()->set_protocol_minor(proto::kProtocolMinor);
    request.mutable_handshake()->set_client_id("auth_test");
    return Call(std::move(request)).handshake();
  }

  proto::Response Sasl(const std::string& mechanism, const std::string& bytes) {
    proto::Request request;
    request.mutable_sasl_authenticate()->set_mechanism(mechanism);
    request.mutable_sasl_authenticate()->set_auth_bytes(bytes);
    return Call(std::move(request));
  }

  // A complete SCRAM-SHA-256 exchange; returns the client-final message it sent.
  std::string Scram(const std::string& user, const std::string& password) {
    scram::ScramClient client(user, password);
    proto::Response first = Sasl(std::string(scram::kScramSha256), client.ClientFirst());
    EXPECT_EQ(first.error().code(), proto::NONE) << first.error().message();
    scram::Step final_message = client.ClientFinal(first.sasl_authenticate().auth_bytes());
    EXPECT_TRUE(final_message.ok) << final_message.message;
    proto::Response last = Sasl("", final_message.message);
    EXPECT_EQ(last.error().code(), proto::NONE) << last.error().message();
    EXPECT_TRUE(last.sasl_authenticate().complete());
    EXPECT_EQ(client.VerifyServerFinal(last.sasl_authenticate().auth_bytes()), "");
    return final_message.message;
  }

  // Whether the broker has closed the connection (reads EOF).
  bool Closed() { return PeerClosed(socket_); }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  uint64_t correlation_ = 0;
};

AclBinding Acl(std::string principal, AclResourceType type, std::string name,
               AclOperation operation, AclPermission permission = AclPermission::kAllow,
               AclPatternType pattern = AclPatternType::kLiteral) {
  return AclBinding{.principal = std::move(principal),
                    .resource_type = type,
                    .resource_name = std::move(name),
                    .pattern_type = pattern,
                    .operation = operation,
                    .permission = permission};
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_.path() / "broker"); }

  ClientOptions Client(std::string user = {}, std::string password = {},
                       std::string mechanism = "SCRAM-SHA-256") const {
    ClientOptions options;
    options.broker = broker_->address();
    options.client_id = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(10);
    if (tls_) options.tls = {.enabled = true, .ca_file = ca_.cert.string()};
    options.sasl = {.username = std::move(user),
                    .password = std::move(password),
                    .mechanism = std::move(mechanism)};
    return options;
  }

  // Starts with --auth=none, creates the users (password = name + "-pw"), ACLs and topics, then
  // restarts with `flags` (authentication on).
  void Bootstrap(const std::vector<std::string>& users, const std::vector<AclBinding>& acls,
                 const std::vector<std::string>& topics, std::vector<std::string> flags,
                 std::vector<std::string> bootstrap_flags = {}) {
    broker_ = std::make_unique<BrokerProcess>(
        dir_.path() / "broker", BrokerProcess::Options{.extra_flags = bootstrap_flags});
    ASSERT_TRUE(broker_->Start());
    {
      Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      for (const std::string& user : users)
        ASSERT_TRUE((*admin)->UpsertUser(user, user + "-pw").ok());
      Status created = (*admin)->CreateAcls(acls);
      ASSERT_TRUE(created.ok()) << created.ToString();
      for (const std::string& topic : topics)
        ASSERT_TRUE((*admin)->CreateTopic(topic, {.partitions = 1}).ok());
    }
    ASSERT_TRUE(broker_->Stop());
    for (const std::string& flag : bootstrap_flags)
      flags.push_back(flag);
    if (certs_) {
      flags.push_back("--tls-cert=" + server_.cert.string());
      flags.push_back("--tls-key=" + server_.key.string());
      tls_ = true;
    }
    broker_ = std::make_unique<BrokerProcess>(dir_.path() / "broker",
                                              BrokerProcess::Options{.extra_flags = flags});
    ASSERT_TRUE(broker_->Start());
  }

  // After Bootstrap(), the broker speaks TLS on both ports (HTTP Basic credentials, which the
  // metrics need with authentication on, are only accepted over TLS).
  void UseTls() {
    certs_ = std::make_unique<TestCerts>(dir_.path());
    ca_ = certs_->MakeCa("ca");
    server_ = certs_->MakeCert(ca_, "server");
    ASSERT_FALSE(HasFailure());
  }

  // The value of a metric series ("" if absent); with TLS, read as the super user "admin".
  std::string Metric(const std::string& series) const {
    const std::string metrics =
        tls_ ? HttpsGet(broker_->http_port(), "/metrics", ca_.cert, "admin", "admin-pw")
             : HttpGet(broker_->http_port(), "/metrics");
    const size_t at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return "";
    const size_t begin = at + series.size() + 2;
    return metrics.substr(begin, metrics.find('\n', begin) - begin);
  }

  Status Produce(const ClientOptions& client, const std::string& topic) {
    Result<std::unique_ptr<Producer>> producer = Producer::Create({.client = client});
    if (!producer.ok()) return producer.status();
    Result<RecordMetadata> acked = (*producer)->Send(topic, Record{"k", "v", {}, 0}, 0).get();
    return acked.status();
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::unique_ptr<TestCerts> certs_;
  CertFiles ca_, server_;
  bool tls_ = false;
};

TEST_F(AuthTest, ScramAuthenticatesAndAWrongPasswordIsRefusedCountedAndLogged) {
  UseTls();
  Bootstrap({"alice", "admin"},
            {Acl("alice", AclResourceType::kTopic, "orders", AclOperation::kWrite)}, {"orders"},
            {"--auth=sasl", "--super-users=admin"});
  EXPECT_TRUE(Produce(Client("alice", "alice-pw"), "orders").ok());

  Result<std::unique_ptr<Admin>> wrong = Admin::Connect(Client("alice", "not-her-password"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kAuthenticationFailed) << wrong.status().ToString();
  EXPECT_NE(wrong.status().message().find("wrong user name or password"), std::string::npos);
  // An unknown user is told the same thing.
  Result<std::unique_ptr<Admin>> unknown = Admin::Connect(Client("mallory", "x"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  // No credentials at all: told what to do, before sending anything.
  Result<std::unique_ptr<Admin>> none = Admin::Connect(Client());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("requires authentication"), std::string::npos);

  EXPECT_EQ(Metric("choreo_auth_failures_total{mechanism=\"SCRAM-SHA-256\"}"), "2");
  EXPECT_NE(broker_->LogTail().find("event=authentication_failed peer=127.0.0.1:"),
            std::string::npos);
}

TEST_F(AuthTest, RequestsBeforeAuthenticationAreRefusedAndTheConnectionClosed) {
  Bootstrap({"alice"}, {}, {}, {"--auth=sasl"});
  RawConnection raw(broker_->port());
  const proto::HandshakeResponse handshake = raw.Handshake();
  ASSERT_EQ(handshake.sasl_mechanisms_size(), 1);  // no PLAIN without TLS
  EXPECT_EQ(handshake.sasl_mechanisms(0), "SCRAM-SHA-256");
  proto::Request metadata;
  metadata.mutable_metadata();
  const proto::Response refused = raw.Call(metadata);
  EXPECT_EQ(refused.error().code(), proto::AUTHENTICATION_FAILED);
  EXPECT_NE(refused.error().message().find("requires authentication"), std::string::npos);
  EXPECT_TRUE(raw.Closed());
  EXPECT_NE(broker_->LogTail().find("mechanism=none reason=\"request before authentication\""),
            std::string::npos)
      << broker_->LogTail();
}

TEST_F(AuthTest, AReplayedClientFinalMessageIsRefused) {
  Bootstrap({"alice"}, {}, {}, {"--auth=sasl"});
  std::string recorded;
  {
    RawConnection first(broker_->port());
    first.Handshake();
    recorded = first.Scram("alice", "alice-pw");
  }
  // An eavesdropper replays the exchange: its client-first gets a new server nonce, so the
  // recorded client-final (and its proof) no longer fits.
  RawConnection replay(broker_->port());
  replay.Handshake();
  scram::ScramClient same_start("alice", "ignored");
  const proto::Response first = replay.Sasl("SCRAM-SHA-256", same_start.ClientFirst());
  ASSERT_EQ(first.error().code(), proto::NONE);
  const proto::Response refused = replay.Sasl("", recorded);
  EXPECT_EQ(refused.error().code(), proto::AUTHENTICATION_FAILED);
  EXPECT_NE(refused.error().message().find("nonce mismatch"), std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(replay.Closed());
}

TEST_F(AuthTest, PlainIsRefusedWithoutTlsAndAcceptedWithTls) {
  TestCerts certs(dir_.path());
  const CertFiles ca = certs.MakeCa("ca");
  const CertFiles server = certs.MakeCert(ca, "server");
  ASSERT_FALSE(HasFailure());
  // Without TLS the broker refuses PLAIN, even from a client that sends it anyway.
  Bootstrap({"alice"}, {Acl("alice", AclResourceType::kTopic, "orders", AclOperation::kWrite)},
            {"orders"}, {"--auth=sasl"});
  {
    RawConnection raw(broker_->port());
    raw.Handshake();
    const proto::Response refused = raw.Sasl("PLAIN", scram::EncodePlain("alice", "alice-pw"));
    EXPECT_EQ(refused.error().code(), proto::AUTHENTICATION_FAILED);
    EXPECT_NE(refused.error().message().find("refused on a connection without TLS"),
              std::string::npos)
        << refused.error().message();
    EXPECT_TRUE(raw.Closed());
  }
  // The client library does not even send it.
  Result<std::unique_ptr<Admin>> plain = Admin::Connect(Client("alice", "alice-pw", "PLAIN"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kAuthenticationFailed);

  // Over TLS, PLAIN authenticates.
  ASSERT_TRUE(broker_->Stop());
  broker_ = std::make_unique<BrokerProcess>(
      dir_.path() / "broker",
      BrokerProcess::Options{.extra_flags = {"--auth=sasl", "--tls-cert=" + server.cert.string(),
                                             "--tls-key=" + server.key.string(),
                                             "--http-listen="}});
  ASSERT_TRUE(broker_->Start());
  ClientOptions tls = Client("alice", "alice-pw", "PLAIN");
  tls.tls = {.enabled = true, .ca_file = ca.cert.string()};
  EXPECT_TRUE(Produce(tls, "orders").ok());
  tls.sasl.password = "wrong";
  Result<std::unique_ptr<Admin>> wrong = Admin::Connect(tls);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AuthTest, MutualTlsPrincipalIsTheCertificatesNameAndAclsApplyToIt) {
  TestCerts certs(dir_.path());
  const CertFiles ca = certs.MakeCa("ca");
  const CertFiles server = certs.MakeCert(ca, "server");
  const CertFiles orders = certs.MakeCert(ca, "order-service");
  const CertFiles payments = certs.MakeCert(ca, "payment-service");
  ASSERT_FALSE(HasFailure());
  const std::vector<std::string> tls_flags = {"--tls-cert=" + server.cert.string(),
                                              "--tls-key=" + server.key.string(),
                                              "--tls-ca=" + ca.cert.string(), "--http-listen="};
  auto client = [&](const CertFiles& cert) {
    ClientOptions options = Client();
    options.tls = {.enabled = true,
                   .ca_file = ca.cert.string(),
                   .cert_file = cert.cert.string(),
                   .key_file = cert.key.string()};
    return options;
  };
  // --mtls-principal=cn: the principal is the common name.
  broker_ = std::make_unique<BrokerProcess>(dir_.path() / "broker",
                                            BrokerProcess::Options{.extra_flags = tls_flags});
  ASSERT_TRUE(broker_->Start());
  {
    Result<std::unique_ptr<Admin>> admin = Admin::Connect(client(orders));
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    ASSERT_TRUE((*admin)->CreateTopic("orders", {.partitions = 1}).ok());
    ASSERT_TRUE((*admin)
                    ->CreateAcls({Acl("order-service", AclResourceType::kTopic, "orders",
                                      AclOperation::kWrite),
                                  Acl("CN=payment-service", AclResourceType::kTopic, "orders",
                                      AclOperation::kWrite)})
                    .ok());
  }
  ASSERT_TRUE(broker_->Stop());
  std::vector<std::string> cn_flags = tls_flags;
  cn_flags.insert(cn_flags.end(), {"--auth=mtls", "--mtls-principal=cn"});
  broker_ = std::make_unique<BrokerProcess>(dir_.path() / "broker",
                                            BrokerProcess::Options{.extra_flags = cn_flags});
  ASSERT_TRUE(broker_->Start());
  EXPECT_TRUE(Produce(client(orders), "orders").ok());
  Status denied = Produce(client(payments), "orders");
  EXPECT_EQ(denied.code(), ErrorCode::kAuthorizationFailed) << denied.ToString();
  EXPECT_NE(denied.message().find("'payment-service'"), std::string::npos) << denied.ToString();

  // --mtls-principal=subject (the default): the RFC 2253 subject.
  ASSERT_TRUE(broker_->Stop());
  std::vector<std::string> subject_flags = tls_flags;
  subject_flags.push_back("--auth=mtls");
  broker_ = std::make_unique<BrokerProcess>(dir_.path() / "broker",
                                            BrokerProcess::Options{.extra_flags = subject_flags});
  ASSERT_TRUE(broker_->Start());
  EXPECT_TRUE(Produce(client(payments), "orders").ok());
  EXPECT_EQ(Produce(client(orders), "orders").code(), ErrorCode::kAuthorizationFailed);
}

// With --auto-create-topics, metadata for a missing topic creates it only for a principal that may
// create it (on the topic or the cluster), as a produce does.
TEST_F(AuthTest, MetadataAutoCreatesOnlyWithCreate) {
  Bootstrap({"alice", "carol"},
            {Acl("alice", AclResourceType::kTopic, "*", AclOperation::kDescribe),
             Acl("carol", AclResourceType::kTopic, "*", AclOperation::kDescribe),
             Acl("carol", AclResourceType::kTopic, "made-by-carol", AclOperation::kCreate)},
            {}, {"--auth=sasl", "--auto-create-topics"});
  const auto metadata = [&](const std::string& user, const std::string& topic) {
    RawConnection raw(broker_->port());
    raw.Handshake();
    raw.Scram(user, user + "-pw");
    proto::Request request;
    request.mutable_metadata()->add_topics(topic);
    return raw.Call(request).metadata();
  };
  const proto::MetadataResponse refused = metadata("alice", "made-by-alice");
  ASSERT_EQ(refused.topics_size(), 1);
  EXPECT_EQ(refused.topics(0).error().code(), proto::UNKNOWN_TOPIC);
  const proto::MetadataResponse created = metadata("carol", "made-by-carol");
  ASSERT_EQ(created.topics_size(), 1);
  EXPECT_EQ(created.topics(0).error().code(), proto::NONE);
  EXPECT_EQ(created.topics(0).partitions_size(), 1);
  EXPECT_EQ(metadata("alice", "made-by-alice").topics(0).error().code(), proto::UNKNOWN_TOPIC);
}

TEST_F(AuthTest, AclsAllowDenyByPrefixAndDenyWins) {
  UseTls();
  Bootstrap(
      {"alice", "bob", "admin"},
      {Acl("alice", AclResourceType::kTopic, "orders.", AclOperation::kWrite, AclPermission::kAllow,
           AclPatternType::kPrefix),
       Acl("alice", AclResourceType::kTopic, "orders.secret", AclOperation::kWrite,
           AclPermission::kDeny),
       Acl("*", AclResourceType::kTopic, "public", AclOperation::kAll),
       Acl("bob", AclResourceType::kTopic, "public", AclOperation::kWrite, AclPermission::kDeny)},
      {"orders.eu", "orders.secret", "payments", "public"}, {"--auth=sasl", "--super-users=admin"});
  const ClientOptions alice = Client("alice", "alice-pw");
  const ClientOptions bob = Client("bob", "bob-pw");
  EXPECT_TRUE(Produce(alice, "orders.eu").ok());                                       // prefix
  EXPECT_EQ(Produce(alice, "orders.secret").code(), ErrorCode::kAuthorizationFailed);  // deny wins
  EXPECT_EQ(Produce(alice, "payments").code(), ErrorCode::kAuthorizationFailed);  // no ACL: deny
  EXPECT_TRUE(Produce(alice, "public").ok());                                     // "*" principal
  EXPECT_EQ(Produce(bob, "public").code(), ErrorCode::kAuthorizationFailed);      // deny beats "*"

  // Topic administration and listing, and the super user.
  Result<std::unique_ptr<Admin>> admin_alice = Admin::Connect(alice);
  ASSERT_TRUE(admin_alice.ok());
  EXPECT_EQ((*admin_alice)->DeleteTopic("orders.eu").code(), ErrorCode::kAuthorizationFailed);
  EXPECT_EQ((*admin_alice)->ListUsers().status().code(), ErrorCode::kAuthorizationFailed);
  Result<std::vector<TopicDescription>> visible = (*admin_alice)->ListTopics();
  ASSERT_TRUE(visible.ok());
  std::vector<std::string> names;
  for (const TopicDescription& topic : *visible)
    names.push_back(topic.name);
  EXPECT_EQ(names, (std::vector<std::string>{"orders.eu", "orders.secret", "public"}));
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client("admin", "admin-pw"));
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ((*admin)->ListTopics()->size(), 4u);
  EXPECT_EQ((*admin)->ListUsers()->size(), 3u);
  const std::string denials = Metric("choreo_authorization_denials_total{operation=\"write\"}");
  EXPECT_FALSE(denials.empty());
  EXPECT_NE(denials, "0");
}

// Cancelling a scheduled event needs write on the event's topic (the request names only its id):
// a principal that may write the topic cancels it, one that may not is refused and the event stays
// pending; an id that is no longer pending needs nothing more.
TEST_F(AuthTest, CancellingAScheduledEventNeedsWriteOnItsTopic) {
  Bootstrap({"orders", "payments"},
            {Acl("orders", AclResourceType::kTopic, "timeouts", AclOperation::kWrite),
             Acl("payments", AclResourceType::kTopic, "payments", AclOperation::kWrite)},
            {"timeouts", "payments"}, {"--auth=sasl"});
  Result<std::unique_ptr<Producer>> orders =
      Producer::Create({.client = Client("orders", "orders-pw")});
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  Result<std::unique_ptr<Producer>> payments =
      Producer::Create({.client = Client("payments", "payments-pw")});
  ASSERT_TRUE(payments.ok()) << payments.status().ToString();
  const auto due = std::chrono::system_clock::now() + std::chrono::hours(1);
  for (const std::string id : {"timeout/1", "timeout/2"}) {
    Result<ScheduledRecord> scheduled =
        (*orders)->Schedule(id, due, "timeouts", Record{"order-1", "timed out", {}, 0}, 0);
    ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  }
  // payments may not write "timeouts": refused, naming the topic, and nothing is cancelled.
  Result<CancelOutcome> refused = (*payments)->CancelScheduled("timeout/1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuthorizationFailed);
  EXPECT_NE(refused.status().message().find("principal 'payments' is not allowed to write topic "
                                            "'timeouts'"),
            std::string::npos)
      << refused.status().ToString();
  Result<CancelOutcome> cancelled = (*orders)->CancelScheduled("timeout/1");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(*cancelled, CancelOutcome::kCancelled);
  // No longer pending, or never scheduled: the outcome, with no ACL needed.
  EXPECT_EQ((*payments)->CancelScheduled("timeout/1").value(), CancelOutcome::kAlreadyCancelled);
  EXPECT_EQ((*payments)->CancelScheduled("no-such-id").value(), CancelOutcome::kNotFound);
  // "timeout/2" is still pending for its owner.
  EXPECT_EQ((*orders)->CancelScheduled("timeout/2").value(), CancelOutcome::kCancelled);
}

TEST_F(AuthTest, AProducerIdCanOnlyBeUsedByThePrincipalItWasGrantedTo) {
  Bootstrap({"alice", "bob"}, {Acl("*", AclResourceType::kTopic, "orders", AclOperation::kWrite)},
            {"orders"}, {"--auth=sasl"});
  RawConnection alice(broker_->port());
  alice.Handshake();
  alice.Scram("alice", "alice-pw");
  proto::Request init;
  init.mutable_init_producer()->set_producer_id(-1);
  const proto::Response granted = alice.Call(init);
  ASSERT_EQ(granted.error().code(), proto::NONE) << granted.error().message();
  const int64_t producer_id = granted.init_producer().producer_id();

  proto::RecordList records;
  records.add_records()->set_value("v");
  std::string batch;
  ASSERT_TRUE(proto::EncodeBatch(records, proto::COMPRESSION_NONE,
                                 {.producer_id = producer_id,
                                  .producer_epoch = granted.init_producer().producer_epoch(),
                                  .base_sequence = 0},
                                 &batch));
  proto::Request produce;
  produce.mutable_produce()->set_topic("orders");
  produce.mutable_produce()->set_batch(batch);

  RawConnection bob(broker_->port());
  bob.Handshake();
  bob.Scram("bob", "bob-pw");
  const proto::Response stolen = bob.Call(produce);
  EXPECT_EQ(stolen.error().code(), proto::AUTHORIZATION_FAILED);
  EXPECT_NE(stolen.error().message().find("was not granted to principal 'bob'"), std::string::npos)
      << stolen.error().message();
  proto::Request bump;
  bump.mutable_init_producer()->set_producer_id(producer_id);
  bump.mutable_init_producer()->set_producer_epoch(granted.init_producer().producer_epoch());
  bump.mutable_init_producer()->set_bump_epoch(true);
  EXPECT_EQ(bob.Call(bump).error().code(), proto::AUTHORIZATION_FAILED);  // no fencing alice

  const proto::Response own = alice.Call(produce);
  EXPECT_EQ(own.error().code(), proto::NONE) << own.error().message();
}

TEST_F(AuthTest, UserAndAclChangesApplyToTheNextRequestAndSurviveARestart) {
  Bootstrap({"alice", "admin"}, {}, {"orders"}, {"--auth=sasl", "--super-users=admin"});
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client("admin", "admin-pw"));
  ASSERT_TRUE(admin.ok());
  Result<std::unique_ptr<Admin>> alice = Admin::Connect(Client("alice", "alice-pw"));
  ASSERT_TRUE(alice.ok());
  auto partitions = [](uint32_t n) {
    TopicChanges changes;
    changes.partitions = n;
    return changes;
  };
  const TopicChanges more = partitions(2);
  EXPECT_EQ((*alice)->AlterTopic("orders", more).status().code(), ErrorCode::kAuthorizationFailed);
  const AclBinding alter = Acl("alice", AclResourceType::kTopic, "orders", AclOperation::kAlter);
  ASSERT_TRUE((*admin)->CreateAcls({alter}).ok());
  // The same connection, next request: allowed.
  EXPECT_TRUE((*alice)->AlterTopic("orders", more).ok());

  ASSERT_TRUE(broker_->Restart());
  admin = Admin::Connect(Client("admin", "admin-pw"));
  ASSERT_TRUE(admin.ok());
  alice = Admin::Connect(Client("alice", "alice-pw"));
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_TRUE((*alice)->AlterTopic("orders", partitions(3)).ok());  // the ACL survived
  ASSERT_EQ((*admin)->ListAcls("alice")->size(), 1u);
  EXPECT_EQ(*(*admin)->DeleteAcls({alter}), 1u);
  EXPECT_EQ((*alice)->AlterTopic("orders", partitions(4)).status().code(),
            ErrorCode::kAuthorizationFailed);

  // A new password applies to the next authentication; a removed user cannot authenticate.
  ASSERT_TRUE((*admin)->UpsertUser("alice", "new-pw").ok());
  EXPECT_EQ(Admin::Connect(Client("alice", "alice-pw")).status().code(),
            ErrorCode::kAuthenticationFailed);
  EXPECT_TRUE(Admin::Connect(Client("alice", "new-pw")).ok());
  ASSERT_TRUE((*admin)->DeleteUser("alice").ok());
  ASSERT_TRUE(broker_->Restart());
  EXPECT_EQ(Admin::Connect(Client("alice", "new-pw")).status().code(),
            ErrorCode::kAuthenticationFailed);
  Result<std::unique_ptr<Admin>> after = Admin::Connect(Client("admin", "admin-pw"));
  ASSERT_TRUE(after.ok());
  Result<std::vector<UserDescription>> users = (*after)->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].name, "admin");
}

TEST_F(AuthTest, RepeatedFailuresFromOneAddressAreRateLimited) {
  UseTls();
  Bootstrap({"alice", "admin"}, {}, {}, {"--auth=sasl", "--super-users=admin"});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Admin::Connect(Client("alice", "wrong")).status().code(),
              ErrorCode::kAuthenticationFailed);
  }
  // Now even the right password is refused at once, for the rest of the window.
  Result<std::unique_ptr<Admin>> limited = Admin::Connect(Client("alice", "alice-pw"));
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("too many failed attempts"), std::string::npos)
      << limited.status().ToString();
  EXPECT_EQ(Metric("choreo_auth_rate_limited_total"), "1");
}

TEST_F(AuthTest, TheHttpPortNeedsCredentialsExceptForHealthChecks) {
  UseTls();
  Bootstrap({"admin", "alice"}, {}, {}, {"--auth=sasl", "--super-users=admin"});
  const CertFiles& ca = ca_;
  const uint16_t port = broker_->http_port();
  EXPECT_EQ(HttpsGet(port, "/healthz", ca.cert).rfind("HTTP/1.1 200", 0), 0u);
  const std::string anonymous = HttpsGet(port, "/metrics", ca.cert);
  EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
  EXPECT_NE(anonymous.find("WWW-Authenticate: Basic"), std::string::npos) << anonymous;
  EXPECT_EQ(HttpsGet(port, "/metrics", ca.cert, "admin", "wrong").rfind("HTTP/1.1 401", 0), 0u);
  const std::string admin = HttpsGet(port, "/metrics", ca.cert, "admin", "admin-pw");
  EXPECT_EQ(admin.rfind("HTTP/1.1 200", 0), 0u) << admin.substr(0, 200);
  EXPECT_NE(admin.find("choreo_auth_failures_total{mechanism=\"http-basic\"} 2"),
            std::string::npos);
  // Authenticated, but no ACL allows alice to describe the cluster.
  EXPECT_EQ(HttpsGet(port, "/metrics", ca.cert, "alice", "alice-pw").rfind("HTTP/1.1 403", 0), 0u);
}

// The schema registry's reads need authentication only: every saga service checks its event types
// when it starts (ServiceOptions::check_schemas), and must not need describe on the cluster for
// it, which would also let it list users and ACLs. Registering stays alter on the cluster.
TEST_F(AuthTest, ReadingTheSchemaRegistryNeedsAuthenticationOnly) {
  Bootstrap({"admin", "alice"}, {}, {}, {"--auth=sasl", "--super-users=admin"});
  // A descriptor set of one message type: its file and the files it imports.
  google::protobuf::FileDescriptorSet files;
  std::set<std::string> seen;
  std::function<void(const google::protobuf::FileDescriptor*)> add =
      [&](const google::protobuf::FileDescriptor* file) {
        if (!seen.insert(file->name()).second) return;
        for (int i = 0; i < file->dependency_count(); ++i)
          add(file->dependency(i));
        file->CopyTo(files.add_file());
      };
  add(proto::SaslAuthenticateRequest::descriptor()->file());
  const std::string set = files.SerializeAsString();
  const std::string subject = proto::SaslAuthenticateRequest::descriptor()->full_name();
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client("admin", "admin-pw"));
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->RegisterSchema(set, {subject}).ok());

  Result<std::unique_ptr<Admin>> alice = Admin::Connect(Client("alice", "alice-pw"));
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  Result<std::vector<SchemaVerdict>> checked = (*alice)->CheckSchema(set, {subject});
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  ASSERT_EQ(checked->size(), 1u);
  EXPECT_EQ((*checked)[0].identical_version, 1u);
  Result<std::vector<SchemaSubject>> listed = (*alice)->ListSchemas();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].subject, subject);
  Result<SchemaVersion> got = (*alice)->GetSchema(subject);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->version, 1u);

  Result<std::vector<SchemaVerdict>> registered = (*alice)->RegisterSchema(set, {subject});
  ASSERT_FALSE(registered.ok());
  EXPECT_EQ(registered.status().code(), ErrorCode::kAuthorizationFailed);
  EXPECT_EQ(registered.status().message(),
            "principal 'alice' is not allowed to alter cluster 'cluster'");
  Result<std::vector<AclBinding>> acls = (*alice)->ListAcls();
  ASSERT_FALSE(acls.ok());
  EXPECT_EQ(acls.status().message(),
            "principal 'alice' is not allowed to describe cluster 'cluster'");
}

}  // namespace
}  // namespace choreo::e2e
