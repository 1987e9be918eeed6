// TLS end to end (issue 13, item 1): the real choreod with --tls-cert/--tls-key/--tls-ca and the
// client library, with certificates made by `openssl` at run time (test_certs.h).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

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
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/producer.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/process.h"
#include "tests/e2e/test_certs.h"

namespace choreo::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// Polls `condition` until it holds or `timeout` passes; true if it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// GET `path` over HTTPS from 127.0.0.1:`port`, verifying the server against `ca`. The response
// (status line, headers, body), or "error: ..." if the exchange failed.
std::string HttpsGet(uint16_t port, const std::string& path, const std::filesystem::path& ca) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca.string());
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
  asio::error_code ec;
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return "error: " + ec.message();
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  asio::write(stream, asio::buffer(request), ec);
  std::string response;
  asio::read(stream, asio::dynamic_buffer(response), ec);  // to the end: Connection: close
  return response;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = certs_.MakeCa("ca");
    server_ = certs_.MakeCert(ca_, "server");
    client_ = certs_.MakeCert(ca_, "client");
    ASSERT_FALSE(HasFailure());
    std::filesystem::create_directories(dir_.path() / "broker");
  }

  std::vector<std::string> TlsFlags(const CertFiles& server, bool mutual = false) const {
    std::vector<std::string> flags = {"--tls-cert=" + server.cert.string(),
                                      "--tls-key=" + server.key.string()};
    if (mutual) flags.push_back("--tls-ca=" + ca_.cert.string());
    return flags;
  }
  ::testing::AssertionResult StartBroker(std::vector<std::string> flags) {
    broker_ = std::make_unique<BrokerProcess>(dir_.path() / "broker",
                                              BrokerProcess::Options{.extra_flags = flags});
    return broker_->Start();
  }
  ClientOptions Client(TlsOptions tls = {}) const {
    ClientOptions options;
    options.broker = broker_->address();
    options.client_id = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(10);
    options.tls = std::move(tls);
    return options;
  }
  TlsOptions Trusting(const CertFiles& ca) const {
    return {.enabled = true, .ca_file = ca.cert.string()};
  }
  TlsOptions WithClientCert(const CertFiles& client) const {
    return {.enabled = true,
            .ca_file = ca_.cert.string(),
            .cert_file = client.cert.string(),
            .key_file = client.key.string()};
  }
  // The value of choreo_tls_handshake_failures_total{listener="protocol"} ("" if absent).
  std::string ProtocolFailures() const {
    const std::string metrics = HttpsGet(broker_->http_port(), "/metrics", ca_.cert);
    const std::string series = "choreo_tls_handshake_failures_total{listener=\"protocol\"} ";
    const size_t at = metrics.find(series);
    if (at == std::string::npos) return "";
    return metrics.substr(at + series.size(), metrics.find('\n', at) - at - series.size());
  }

  TempDir dir_;
  TestCerts certs_{dir_.path()};
  CertFiles ca_, server_, client_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(TlsTest, ProduceAndFetchOverTls) {
  ASSERT_TRUE(StartBroker(TlsFlags(server_)));
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client(Trusting(ca_)));
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->CreateTopic("orders", {.partitions = 1}).ok());
  Result<std::unique_ptr<Producer>> producer = Producer::Create({.client = Client(Trusting(ca_))});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::future<Result<RecordMetadata>>> sent;
  for (int i = 0; i < 100; ++i) {
    sent.push_back(
        (*producer)->Send("orders", Record{"k", "value-" + std::to_string(i), {}, 0}, 0));
  }
  for (auto& ack : sent) {
    Result<RecordMetadata> acked = ack.get();
    ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  }
  auto read = ReadTopic(Client(Trusting(ca_)), "orders", std::chrono::seconds(30));
  ASSERT_EQ(read[0].size(), 100u);
  EXPECT_EQ(read[0][42].record.value, "value-42");
}

TEST_F(TlsTest, PlaintextClientIsToldToUseTlsAndTheBrokerCarriesOn) {
  ASSERT_TRUE(StartBroker(TlsFlags(server_)));
  Result<std::unique_ptr<Admin>> plain = Admin::Connect(Client());
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), ErrorCode::kUnsupportedVersion) << plain.status().ToString();
  EXPECT_NE(plain.status().message().find("speaks TLS only"), std::string::npos)
      << plain.status().ToString();
  Result<std::unique_ptr<Admin>> tls = Admin::Connect(Client(Trusting(ca_)));
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_TRUE((*tls)->ListTopics().ok());
  EXPECT_EQ(ProtocolFailures(), "1");
  EXPECT_NE(broker_->LogTail().find("event=tls_handshake_failed listener=protocol peer=127.0.0.1:"),
            std::string::npos);
}

TEST_F(TlsTest, TlsClientToPlaintextListenerFailsClearly) {
  ASSERT_TRUE(StartBroker({}));
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client(Trusting(ca_)));
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), ErrorCode::kTlsError) << admin.status().ToString();
  EXPECT_NE(admin.status().message().find("does the broker listen with TLS?"), std::string::npos)
      << admin.status().ToString();
  Result<std::unique_ptr<Admin>> plain = Admin::Connect(Client());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
}

TEST_F(TlsTest, ServerCertificateFromAnotherCaIsRejectedByTheClient) {
  const CertFiles other_ca = certs_.MakeCa("other-ca");
  ASSERT_TRUE(StartBroker(TlsFlags(server_)));
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client(Trusting(other_ca)));
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), ErrorCode::kTlsError);
  EXPECT_NE(admin.status().message().find("the broker's certificate was not accepted"),
            std::string::npos)
      << admin.status().ToString();
}

TEST_F(TlsTest, MutualTlsRefusesAClientWithoutCertificate) {
  ASSERT_TRUE(StartBroker(TlsFlags(server_, /*mutual=*/true)));
  Result<std::unique_ptr<Admin>> anonymous = Admin::Connect(Client(Trusting(ca_)));
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), ErrorCode::kTlsError) << anonymous.status().ToString();
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client(WithClientCert(client_)));
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  EXPECT_TRUE((*admin)->ListTopics().ok());
  EXPECT_TRUE(WaitFor([&] { return ProtocolFailures() == "1"; }));
}

TEST_F(TlsTest, ExpiredClientCertificateIsRejected) {
  const CertFiles expired = certs_.MakeCert(ca_, "expired-client", /*days=*/-1);
  ASSERT_TRUE(StartBroker(TlsFlags(server_, /*mutual=*/true)));
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client(WithClientCert(expired)));
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), ErrorCode::kTlsError) << admin.status().ToString();
  EXPECT_TRUE(WaitFor([&] {
    return broker_->LogTail().find("certificate has expired") != std::string::npos;
  })) << broker_->LogTail();
}

TEST_F(TlsTest, SighupReloadsTheCertificateAndKeepsOpenConnections) {
  const CertFiles live{dir_.path() / "live.crt", dir_.path() / "live.key"};
  std::filesystem::copy_file(server_.cert, live.cert);
  std::filesystem::copy_file(server_.key, live.key);
  ASSERT_TRUE(StartBroker(TlsFlags(live)));
  Result<std::unique_ptr<Admin>> before = Admin::Connect(Client(Trusting(ca_)));
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  // A certificate from another CA replaces the files; SIGHUP makes the broker read them.
  const CertFiles ca2 = certs_.MakeCa("ca2");
  const CertFiles server2 = certs_.MakeCert(ca2, "server2");
  std::filesystem::copy_file(server2.cert, live.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(server2.key, live.key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(broker_->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitFor([&] { return Admin::Connect(Client(Trusting(ca2))).ok(); }))
      << broker_->LogTail();
  // New connections see the new certificate; the one opened before still works.
  Result<std::unique_ptr<Admin>> old_ca = Admin::Connect(Client(Trusting(ca_)));
  EXPECT_EQ(old_ca.status().code(), ErrorCode::kTlsError) << old_ca.status().ToString();
  EXPECT_TRUE((*before)->CreateTopic("after-reload", {.partitions = 1}).ok());

  // A broken key is refused on reload: the broker keeps serving with the certificate it has.
  WriteFile(live.key, "not a key\n");
  ASSERT_EQ(::kill(broker_->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitFor([&] {
    return broker_->LogTail().find("TLS reload failed") != std::string::npos;
  })) << broker_->LogTail();
  Result<std::unique_ptr<Admin>> after = Admin::Connect(Client(Trusting(ca2)));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE((*after)->ListTopics().ok());
}

TEST_F(TlsTest, HttpEndpointServesTlsWithoutClientCertificates) {
  ASSERT_TRUE(StartBroker(TlsFlags(server_, /*mutual=*/true)));
  const std::string health = HttpsGet(broker_->http_port(), "/healthz", ca_.cert);
  EXPECT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
  EXPECT_NE(health.find("\r\n\r\nok"), std::string::npos) << health;
}

TEST_F(TlsTest, AStalledTlsHandshakeIsClosedAfterTheHandshakeTimeout) {
  std::vector<std::string> flags = TlsFlags(server_);
  flags.push_back("--handshake-timeout-ms=300");
  ASSERT_TRUE(StartBroker(flags));
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), broker_->port()});
  // Sends nothing. The broker must close it: a read then ends (EOF or reset) instead of waiting.
  // The receive timeout is a backstop so that a failure does not hang the test.
  const timeval backstop{.tv_sec = 20, .tv_usec = 0};
  ASSERT_EQ(
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &backstop, sizeof(backstop)),
      0);
  const auto start = Clock::now();
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, 0);
  EXPECT_LE(n, 0) << "the broker sent data to a peer that never started TLS";
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(15)) << "the broker did not close it";
  EXPECT_TRUE(WaitFor([&] { return ProtocolFailures() == "1"; }));
  EXPECT_NE(broker_->LogTail().find("no TLS handshake within"), std::string::npos);
}

TEST_F(TlsTest, AnUnusableCertificateOrKeyFailsStartupNamingTheFile) {
  const std::string missing = (dir_.path() / "missing.key").string();
  ::testing::AssertionResult started =
      StartBroker({"--tls-cert=" + server_.cert.string(), "--tls-key=" + missing});
  ASSERT_FALSE(started);
  EXPECT_NE(std::string(started.message()).find("cannot read TLS key (--tls-key) " + missing),
            std::string::npos)
      << started.message();
  // A key of another certificate.
  started =
      StartBroker({"--tls-cert=" + server_.cert.string(), "--tls-key=" + client_.key.string()});
  ASSERT_FALSE(started);
  const std::string message = started.message();
  EXPECT_NE(message.find("cannot use TLS key " + client_.key.string() + " (with certificate " +
                         server_.cert.string() + "): key values mismatch"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace choreo::e2e
