// The Kafka listener secured (issue 13): TLS, SASL (SCRAM-SHA-256, PLAIN over TLS), mutual TLS
// principals and ACLs on choreod --kafka-listen, against kcat (librdkafka, a client nobody here
// wrote), plus a raw Kafka connection for what a well-behaved client never sends (a request before
// authentication, a v0 SaslHandshake with raw tokens). Certificates are made at run time
// (test_certs.h). Skipped where kcat is not installed (scripts/install-deps.sh installs it).
//
// Users and ACLs are made as an operator bootstraps a broker: with --auth=none first, then the
// broker restarts with authentication on.
#include <gtest/gtest.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <signal.h>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/kafka/request.h"
#include "choreo/client/admin.h"
#include "choreo/proto/scram.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/raw_kafka.h"
#include "tests/e2e/test_certs.h"

namespace choreo::e2e {
namespace {

namespace scram = proto::scram;

constexpr char kKcat[] = "/usr/bin/kcat";

// A raw Kafka connection with the SASL requests.
class SaslKafka : public RawKafka {
 public:
  using RawKafka::RawKafka;

  // SaslHandshake for `mechanism`; one SaslAuthenticate step with `bytes`.
  std::optional<kafka::Struct> Handshake(const std::string& mechanism, int16_t version) {
    kafka::Struct request = Request(kafka::api_key::kSaslHandshake);
    request.SetString("mechanism", mechanism);
    return Call(kafka::api_key::kSaslHandshake, version, request);
  }
  std::optional<kafka::Struct> Authenticate(const std::string& bytes, int16_t version) {
    kafka::Struct request = Request(kafka::api_key::kSaslAuthenticate);
    request.SetString("auth_bytes", bytes);
    return Call(kafka::api_key::kSaslAuthenticate, version, request);
  }
};

AclBinding TopicAcl(std::string principal, std::string topic, AclOperation operation) {
  return AclBinding{.principal = std::move(principal),
                    .resource_type = AclResourceType::kTopic,
                    .resource_name = std::move(topic),
                    .pattern_type = AclPatternType::kLiteral,
                    .operation = operation,
                    .permission = AclPermission::kAllow};
}

class KafkaSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kKcat)) GTEST_SKIP() << "kcat is not installed";
    std::filesystem::create_directories(dir_.path() / "broker");
    certs_ = std::make_unique<TestCerts>(dir_.path());
    ca_ = certs_->MakeCa("ca");
    server_ = certs_->MakeCert(ca_, "server");
    client_ = certs_->MakeCert(ca_, "orders-client");
    ASSERT_FALSE(HasFailure());
  }

  // The TLS flags (with the client CA if `mutual`), and `auth` ("--auth=...") if given.
  std::vector<std::string> TlsFlags(bool mutual = false, const std::string& auth = {}) const {
    std::vector<std::string> flags = {"--tls-cert=" + server_.cert.string(),
                                      "--tls-key=" + server_.key.string()};
    if (mutual) flags.push_back("--tls-ca=" + ca_.cert.string());
    if (!auth.empty()) flags.push_back(auth);
    return flags;
  }

  // Starts choreod without authentication, creates the users (password: name + "-pw"), ACLs and
  // topics (one partition each), then restarts it with `flags` and the Kafka listener.
  void Start(const std::vector<std::string>& users, const std::vector<AclBinding>& acls,
             const std::vector<std::string>& topics, std::vector<std::string> flags) {
    broker_ = std::make_unique<BrokerProcess>(
        dir_.path() / "broker", BrokerProcess::Options{.fsync = "never", .extra_flags = {}});
    ASSERT_TRUE(broker_->Start());
    {
      ClientOptions options;
      options.broker = broker_->address();
      options.client_id = "kafka_security_test";
      Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      for (const std::string& user : users)
        ASSERT_TRUE((*admin)->UpsertUser(user, user + "-pw").ok());
      if (!acls.empty()) {
        Status created = (*admin)->CreateAcls(acls);
        ASSERT_TRUE(created.ok()) << created.ToString();
      }
      for (const std::string& topic : topics)
        ASSERT_TRUE((*admin)->CreateTopic(topic, {.partitions = 1}).ok());
    }
    ASSERT_TRUE(broker_->Stop());
    flags.push_back("--kafka-listen=127.0.0.1:0");
    flags.push_back("--kafka-port-file=" + (dir_.path() / "kafka.port").string());
    broker_ = std::make_unique<BrokerProcess>(
        dir_.path() / "broker", BrokerProcess::Options{.fsync = "never", .extra_flags = flags});
    ASSERT_TRUE(broker_->Start());
    // choreod writes the Kafka port file before --port-file, which Start() waited for.
    kafka_port_ = static_cast<uint16_t>(std::stoi(ReadFile(dir_.path() / "kafka.port")));
  }

  // kcat against the Kafka listener with `settings` (-X ...) and `args`; 30 s at most.
  ProcessResult Kcat(const std::vector<std::string>& settings, const std::vector<std::string>& args,
                     const std::string& input = "") {
    std::vector<std::string> argv = {kKcat, "-b", "127.0.0.1:" + std::to_string(kafka_port_)};
    for (const std::string& setting : settings) {
      argv.push_back("-X");
      argv.push_back(setting);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input, dir_.path(), std::chrono::milliseconds(30000));
  }

  std::vector<std::string> Ssl() const {
    return {"security.protocol=SSL", "ssl.ca.location=" + ca_.cert.string()};
  }
  std::vector<std::string> Sasl(const std::string& user, const std::string& password,
                                const std::string& mechanism = "SCRAM-SHA-256",
                                bool tls = true) const {
    std::vector<std::string> settings = {
        std::string("security.protocol=") + (tls ? "SASL_SSL" : "SASL_PLAINTEXT"),
        "sasl.mechanisms=" + mechanism, "sasl.username=" + user, "sasl.password=" + password};
    if (tls) settings.push_back("ssl.ca.location=" + ca_.cert.string());
    return settings;
  }

  // Produces two records to `topic` and reads them back, both with `settings`.
  void ProduceAndConsume(const std::vector<std::string>& settings, const std::string& topic) {
    const ProcessResult produced =
        Kcat(settings, {"-P", "-t", topic, "-K", "\t"}, "order-1\tcreated\norder-2\tpaid\n");
    ASSERT_EQ(produced.exit_code, 0) << produced.err << "\nbroker log:\n" << broker_->LogTail();
    const ProcessResult consumed = Kcat(settings, {"-C", "-t", topic, "-f", "%k %s\n", "-e", "-q"});
    EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
    EXPECT_EQ(consumed.out, "order-1 created\norder-2 paid\n") << consumed.err;
  }

  TempDir dir_;
  std::unique_ptr<TestCerts> certs_;
  CertFiles ca_, server_, client_;
  std::unique_ptr<BrokerProcess> broker_;
  uint16_t kafka_port_ = 0;
};

TEST_F(KafkaSecurityTest, KcatOverSslProducesAndConsumesAndPlaintextIsRefused) {
  Start({}, {}, {"orders"}, TlsFlags());
  ProduceAndConsume(Ssl(), "orders");
  // A plaintext client on the TLS listener gets nothing: the handshake fails and is counted.
  const ProcessResult plain = Kcat({"socket.timeout.ms=3000"}, {"-L", "-m", "3"});
  EXPECT_NE(plain.exit_code, 0) << plain.out;
  EXPECT_EQ(plain.out.find("topic \"orders\""), std::string::npos) << plain.out;
  EXPECT_NE(broker_->LogTail().find("TLS handshake failed: plaintext client"), std::string::npos)
      << broker_->LogTail();
  EXPECT_NE(broker_->LogTail().find("event=tls_handshake_failed listener=kafka peer=127.0.0.1:"),
            std::string::npos)
      << broker_->LogTail();
}

// SIGHUP re-reads the certificate for the Kafka listener as for the protocol listener: new
// connections get the new one.
TEST_F(KafkaSecurityTest, SighupReloadsTheKafkaListenersCertificate) {
  const CertFiles live{dir_.path() / "live.crt", dir_.path() / "live.key"};
  std::filesystem::copy_file(server_.cert, live.cert);
  std::filesystem::copy_file(server_.key, live.key);
  server_ = live;
  Start({}, {}, {"orders"}, TlsFlags());
  const std::vector<std::string> old_ca = Ssl();
  ASSERT_EQ(Kcat(old_ca, {"-L", "-t", "orders"}).exit_code, 0);

  const CertFiles ca2 = certs_->MakeCa("ca2");
  const CertFiles server2 = certs_->MakeCert(ca2, "server2");
  std::filesystem::copy_file(server2.cert, live.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(server2.key, live.key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(broker_->pid(), SIGHUP), 0);
  const std::vector<std::string> new_ca = {"security.protocol=SSL",
                                           "ssl.ca.location=" + ca2.cert.string()};
  // The reload happens when the broker handles the signal: wait for it, up to a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool reloaded = false;
  while (!reloaded && std::chrono::steady_clock::now() < deadline)
    reloaded = Kcat(new_ca, {"-L", "-t", "orders", "-m", "3"}).exit_code == 0;
  EXPECT_TRUE(reloaded) << broker_->LogTail();
  const ProcessResult refused = Kcat(old_ca, {"-L", "-t", "orders", "-m", "3"});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("certificate verify failed"), std::string::npos) << refused.err;
}

TEST_F(KafkaSecurityTest, KcatWithSaslSslScramProducesAndConsumes) {
  Start({"alice"},
        {TopicAcl("alice", "orders", AclOperation::kWrite),
         TopicAcl("alice", "orders", AclOperation::kRead)},
        {"orders"}, TlsFlags(/*mutual=*/false, "--auth=sasl"));
  ProduceAndConsume(Sasl("alice", "alice-pw"), "orders");
  // PLAIN is accepted over TLS too.
  const ProcessResult plain =
      Kcat(Sasl("alice", "alice-pw", "PLAIN"), {"-C", "-t", "orders", "-f", "%s\n", "-e", "-q"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "created\npaid\n");
  EXPECT_NE(broker_->LogTail().find("protocol=kafka tls=true"), std::string::npos);
}

TEST_F(KafkaSecurityTest, AWrongPasswordFailsVisiblyAndIsCountedAndLogged) {
  Start({"alice"}, {TopicAcl("alice", "orders", AclOperation::kDescribe)}, {"orders"},
        TlsFlags(/*mutual=*/false, "--auth=sasl"));
  const ProcessResult wrong = Kcat(Sasl("alice", "not-her-password"), {"-L", "-m", "5"});
  EXPECT_NE(wrong.exit_code, 0) << wrong.out;
  EXPECT_NE(wrong.err.find("wrong user name or password"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.out.find("topic \"orders\""), std::string::npos) << wrong.out;
  EXPECT_NE(broker_->LogTail().find("event=authentication_failed peer=127.0.0.1:"),
            std::string::npos)
      << broker_->LogTail();
  EXPECT_NE(broker_->LogTail().find("mechanism=SCRAM-SHA-256 reason=\"invalid proof"),
            std::string::npos)
      << broker_->LogTail();
}

TEST_F(KafkaSecurityTest, PlainWithoutTlsIsRefusedAndScramWithoutTlsWorks) {
  Start({"alice"}, {TopicAcl("alice", "orders", AclOperation::kDescribe)}, {"orders"},
        {"--auth=sasl"});
  const ProcessResult plain =
      Kcat(Sasl("alice", "alice-pw", "PLAIN", /*tls=*/false), {"-L", "-m", "5"});
  EXPECT_NE(plain.exit_code, 0) << plain.out;
  EXPECT_NE(plain.err.find("Unsupported SASL mechanism"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.out.find("topic \"orders\""), std::string::npos) << plain.out;
  EXPECT_NE(broker_->LogTail().find("mechanism=PLAIN reason=\"PLAIN without TLS\""),
            std::string::npos)
      << broker_->LogTail();

  const ProcessResult scram =
      Kcat(Sasl("alice", "alice-pw", "SCRAM-SHA-256", /*tls=*/false), {"-L", "-t", "orders"});
  EXPECT_EQ(scram.exit_code, 0) << scram.err;
  EXPECT_NE(scram.out.find("topic \"orders\" with 1 partitions"), std::string::npos) << scram.out;
}

TEST_F(KafkaSecurityTest, AclsDecideWhatEachUserMayProduceAndSee) {
  // bob may read and describe orders, not write it; secret is no business of his.
  Start({"bob"},
        {TopicAcl("bob", "orders", AclOperation::kRead),
         TopicAcl("bob", "orders", AclOperation::kDescribe)},
        {"orders", "secret"}, TlsFlags(/*mutual=*/false, "--auth=sasl"));
  const std::vector<std::string> bob = Sasl("bob", "bob-pw");
  const ProcessResult produced = Kcat(bob, {"-P", "-t", "orders"}, "refused\n");
  EXPECT_NE(produced.err.find("Topic authorization failed"), std::string::npos)
      << produced.err << "\nbroker log:\n"
      << broker_->LogTail();

  const ProcessResult listing = Kcat(bob, {"-L"});
  EXPECT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_NE(listing.out.find("topic \"orders\""), std::string::npos) << listing.out;
  EXPECT_EQ(listing.out.find("secret"), std::string::npos) << listing.out;

  // Named, the topic he may not describe is an authorization error, not its metadata.
  const ProcessResult named = Kcat(bob, {"-L", "-t", "secret"});
  EXPECT_EQ(named.out.find("1 partitions"), std::string::npos) << named.out;
  EXPECT_NE((named.out + named.err).find("Topic authorization failed"), std::string::npos)
      << named.out << named.err;
  // Nothing reached the topic.
  const ProcessResult consumed = Kcat(bob, {"-C", "-t", "orders", "-e", "-q"});
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, "");
}

// A Kafka consumer group needs read on the group (and read on the topics it commits), as a
// choreo group does: with it, kcat -G consumes and commits; without it, the group is refused
// with GROUP_AUTHORIZATION_FAILED and nothing is committed for it.
TEST_F(KafkaSecurityTest, AGroupNeedsReadOnTheGroup) {
  const AclBinding billing_group{.principal = "alice",
                                 .resource_type = AclResourceType::kGroup,
                                 .resource_name = "billing",
                                 .pattern_type = AclPatternType::kLiteral,
                                 .operation = AclOperation::kRead,
                                 .permission = AclPermission::kAllow};
  Start({"alice", "bob"},
        {TopicAcl("alice", "orders", AclOperation::kWrite),
         TopicAcl("alice", "orders", AclOperation::kRead), billing_group,
         TopicAcl("bob", "orders", AclOperation::kRead)},
        {"orders"}, TlsFlags(/*mutual=*/false, "--auth=sasl"));
  const ProcessResult produced =
      Kcat(Sasl("alice", "alice-pw"), {"-P", "-t", "orders"}, "first\nsecond\n");
  ASSERT_EQ(produced.exit_code, 0) << produced.err;

  std::vector<std::string> alice = Sasl("alice", "alice-pw");
  alice.push_back("auto.offset.reset=earliest");
  const ProcessResult consumed = Kcat(alice, {"-G", "billing", "orders", "-e", "-q", "-f", "%s\n"});
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err << "\nbroker log:\n" << broker_->LogTail();
  EXPECT_EQ(consumed.out, "first\nsecond\n") << consumed.err;

  // bob may read the topic but not use the group (nor describe it, which FindCoordinator needs).
  std::vector<std::string> bob = Sasl("bob", "bob-pw");
  bob.push_back("auto.offset.reset=earliest");
  const ProcessResult refused = Kcat(bob, {"-G", "billing", "orders", "-e", "-q", "-f", "%s\n"});
  EXPECT_EQ(refused.out, "") << refused.err;
  EXPECT_NE(refused.err.find("Group authorization failed"), std::string::npos)
      << refused.err << "\nbroker log:\n"
      << broker_->LogTail();
}

TEST_F(KafkaSecurityTest, MutualTlsGivesTheCertificatesPrincipal) {
  Start({},
        {TopicAcl("CN=orders-client", "orders", AclOperation::kWrite),
         TopicAcl("CN=orders-client", "orders", AclOperation::kRead)},
        {"orders", "secret"}, TlsFlags(/*mutual=*/true, "--auth=mtls"));
  std::vector<std::string> settings = Ssl();
  settings.push_back("ssl.certificate.location=" + client_.cert.string());
  settings.push_back("ssl.key.location=" + client_.key.string());
  ProduceAndConsume(settings, "orders");
  const ProcessResult listing = Kcat(settings, {"-L"});
  EXPECT_EQ(listing.out.find("secret"), std::string::npos) << listing.out;
}

// Raw frames: ApiVersions advertises the SASL APIs and may come first; any other request before
// authentication closes the connection without an answer, and counts as a failure.
TEST_F(KafkaSecurityTest, ARequestBeforeAuthenticationClosesTheConnection) {
  Start({"alice"}, {}, {"orders"}, {"--auth=sasl"});
  SaslKafka raw(kafka_port_);
  std::optional<kafka::Struct> versions =
      raw.Call(kafka::api_key::kApiVersions, 2, RawKafka::Request(kafka::api_key::kApiVersions));
  ASSERT_TRUE(versions.has_value());
  bool handshake = false, authenticate = false;
  for (const kafka::Struct& api : versions->GetStructs("api_keys")) {
    if (api.GetInt("api_key") == kafka::api_key::kSaslHandshake)
      handshake = api.GetInt("min_version") == 0 && api.GetInt("max_version") == 1;
    if (api.GetInt("api_key") == kafka::api_key::kSaslAuthenticate)
      authenticate = api.GetInt("min_version") == 0 && api.GetInt("max_version") == 2;
  }
  EXPECT_TRUE(handshake && authenticate);

  kafka::Struct metadata = RawKafka::Request(kafka::api_key::kMetadata);
  EXPECT_FALSE(raw.Call(kafka::api_key::kMetadata, 1, metadata).has_value());
  EXPECT_TRUE(raw.Closed());
  EXPECT_NE(broker_->LogTail().find("mechanism=none reason=\"request before authentication\""),
            std::string::npos)
      << broker_->LogTail();
}

// The same exchange as a Kafka client's, by hand: SaslHandshake v1 then SaslAuthenticate (v2,
// flexible) steps; out-of-order SASL requests and unknown mechanisms get Kafka's error codes.
TEST_F(KafkaSecurityTest, SaslExchangeByHandAndItsErrorCodes) {
  Start({"alice"}, {TopicAcl("alice", "orders", AclOperation::kDescribe)}, {"orders"},
        {"--auth=sasl"});
  {
    SaslKafka raw(kafka_port_);
    std::optional<kafka::Struct> chosen = raw.Handshake("SCRAM-SHA-256", 1);
    ASSERT_TRUE(chosen.has_value());
    EXPECT_EQ(chosen->GetInt("error_code"), 0);
    ASSERT_EQ(chosen->GetItems("mechanisms").size(), 1u);  // no PLAIN without TLS
    EXPECT_EQ(chosen->GetItems("mechanisms")[0].bytes, "SCRAM-SHA-256");

    scram::ScramClient client("alice", "alice-pw");
    std::optional<kafka::Struct> first = raw.Authenticate(client.ClientFirst(), 2);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->GetInt("error_code"), 0) << first->GetString("error_message");
    const scram::Step final_message = client.ClientFinal(first->GetString("auth_bytes"));
    ASSERT_TRUE(final_message.ok) << final_message.message;
    std::optional<kafka::Struct> last = raw.Authenticate(final_message.message, 2);
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->GetInt("error_code"), 0);
    EXPECT_EQ(last->GetInt("session_lifetime_ms"), 0);
    EXPECT_EQ(client.VerifyServerFinal(last->GetString("auth_bytes")), "");

    kafka::Struct metadata = RawKafka::Request(kafka::api_key::kMetadata);
    metadata.SetNull("topics");
    std::optional<kafka::Struct> topics = raw.Call(kafka::api_key::kMetadata, 1, metadata);
    ASSERT_TRUE(topics.has_value());
    ASSERT_EQ(topics->GetStructs("topics").size(), 1u);
    EXPECT_EQ(topics->GetStructs("topics")[0].GetString("name"), "orders");

    // Authenticated: another SaslAuthenticate is out of order.
    std::optional<kafka::Struct> again = raw.Authenticate(final_message.message, 1);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->GetInt("error_code"), 34);  // ILLEGAL_SASL_STATE
    EXPECT_TRUE(raw.Closed());
  }
  {
    SaslKafka raw(kafka_port_);
    std::optional<kafka::Struct> refused = raw.Handshake("GSSAPI", 1);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->GetInt("error_code"), 33);  // UNSUPPORTED_SASL_MECHANISM
    EXPECT_EQ(refused->GetItems("mechanisms").size(), 1u);
    EXPECT_TRUE(raw.Closed());
  }
  {
    SaslKafka raw(kafka_port_);
    std::optional<kafka::Struct> early = raw.Authenticate("n,,n=alice,r=abc", 0);
    ASSERT_TRUE(early.has_value());
    EXPECT_EQ(early->GetInt("error_code"), 34);  // no handshake yet
    EXPECT_TRUE(raw.Closed());
  }
  {
    // A wrong password: SASL_AUTHENTICATION_FAILED with a message, then the connection closes.
    SaslKafka raw(kafka_port_);
    ASSERT_TRUE(raw.Handshake("SCRAM-SHA-256", 1).has_value());
    scram::ScramClient client("alice", "wrong");
    std::optional<kafka::Struct> first = raw.Authenticate(client.ClientFirst(), 1);
    ASSERT_TRUE(first.has_value());
    std::optional<kafka::Struct> refused =
        raw.Authenticate(client.ClientFinal(first->GetString("auth_bytes")).message, 1);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->GetInt("error_code"), 58);  // SASL_AUTHENTICATION_FAILED
    EXPECT_NE(refused->GetString("error_message").find("wrong user name or password"),
              std::string::npos)
        << refused->GetString("error_message");
    EXPECT_TRUE(raw.Closed());
  }
}

// The native listener's per-address limit holds on the Kafka listener too (one AuthFailures): after
// 5 failures within a minute, even the right password is refused at once.
TEST_F(KafkaSecurityTest, RepeatedFailuresFromOneAddressAreRateLimited) {
  Start({"alice"}, {}, {}, {"--auth=sasl"});
  // One SCRAM attempt: the answer that ended it (the first step's, if that one failed).
  const auto attempt = [&](const std::string& password) {
    SaslKafka raw(kafka_port_);
    EXPECT_TRUE(raw.Handshake("SCRAM-SHA-256", 1).has_value());
    scram::ScramClient client("alice", password);
    std::optional<kafka::Struct> first = raw.Authenticate(client.ClientFirst(), 1);
    if (!first || first->GetInt("error_code") != 0) return first;
    return raw.Authenticate(client.ClientFinal(first->GetString("auth_bytes")).message, 1);
  };
  for (int i = 0; i < 5; ++i) {
    std::optional<kafka::Struct> refused = attempt("wrong");
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->GetInt("error_code"), 58);
  }
  std::optional<kafka::Struct> limited = attempt("alice-pw");
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->GetInt("error_code"), 58);
  EXPECT_NE(limited->GetString("error_message").find("too many failed attempts"), std::string::npos)
      << limited->GetString("error_message");
}

// SaslHandshake v0 (KIP-43's first form): the SASL tokens follow as frames of their own, without
// Kafka request headers.
TEST_F(KafkaSecurityTest, SaslHandshakeV0ExchangesRawTokens) {
  Start({"alice"}, {TopicAcl("alice", "orders", AclOperation::kDescribe)}, {"orders"},
        {"--auth=sasl"});
  SaslKafka raw(kafka_port_);
  std::optional<kafka::Struct> chosen = raw.Handshake("SCRAM-SHA-256", 0);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(chosen->GetInt("error_code"), 0);
  scram::ScramClient client("alice", "alice-pw");
  raw.Send(client.ClientFirst());
  std::optional<std::string> server_first = raw.Read();
  ASSERT_TRUE(server_first.has_value());
  const scram::Step final_message = client.ClientFinal(*server_first);
  ASSERT_TRUE(final_message.ok) << final_message.message;
  raw.Send(final_message.message);
  std::optional<std::string> server_final = raw.Read();
  ASSERT_TRUE(server_final.has_value());
  EXPECT_EQ(client.VerifyServerFinal(*server_final), "");
  kafka::Struct metadata = RawKafka::Request(kafka::api_key::kMetadata);
  metadata.AddStruct("topics").SetString("name", "orders");
  std::optional<kafka::Struct> topics = raw.Call(kafka::api_key::kMetadata, 1, metadata);
  ASSERT_TRUE(topics.has_value());
  ASSERT_EQ(topics->GetStructs("topics").size(), 1u);
  EXPECT_EQ(topics->GetStructs("topics")[0].GetInt("error_code"), 0);
}

}  // namespace
}  // namespace choreo::e2e
