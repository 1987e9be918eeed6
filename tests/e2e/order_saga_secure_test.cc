// The order saga of examples/order-saga, secured as README "Securing choreod" says (issue 13):
// choreod with TLS and SCRAM-SHA-256, the users and ACLs of examples/order-saga/secure-setup.sh,
// each service connecting with TLS as its own user and allowed only its own topics and group.
// The sagas must run to the end as they do without security, saga-watch (its own read-only user)
// must see them, and payment-service's credentials must be refused a write to order-service's
// topic with an error that names the principal, the operation and the topic.
//
// Certificates are made with openssl at run time (test_certs.h); the passwords are made by the
// setup script. The bootstrap is the README's: the super user `admin` is created while the broker
// runs without --auth (on the loopback), everything else as admin once authentication is on.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "common/topics.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/group_test_util.h"
#include "tests/e2e/order_saga_audit.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_process.h"
#include "tests/e2e/test_certs.h"

#if !defined(CHOREO_CLI_PATH) || !defined(ORDER_SAGA_SECURE_SETUP_PATH) || !defined(SAGA_WATCH_PATH)
#error "the CLI, the setup script and saga-watch must be named"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::seconds;

constexpr int kOrders = 60;

class SecureOrderSagaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "broker");
    TestCerts certs(dir_.path());
    ca_ = certs.MakeCa("choreo-test-ca");
    server_ = certs.MakeCert(ca_, "localhost");
    ASSERT_FALSE(HasFailure());
    secrets_ = dir_.path() / "secrets";
    std::filesystem::create_directories(secrets_);
    WriteFile(secrets_ / "admin", "admin-test-password\n");
    std::filesystem::permissions(secrets_ / "admin", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
  }

  void StartBroker(std::vector<std::string> flags) {
    flags.push_back("--tls-cert=" + server_.cert.string());
    flags.push_back("--tls-key=" + server_.key.string());
    broker_ = std::make_unique<BrokerProcess>(
        dir_.path() / "broker", BrokerProcess::Options{.fsync = "never", .extra_flags = flags});
    ASSERT_TRUE(broker_->Start());
  }

  // `choreo` with TLS to the broker.
  std::vector<std::string> Cli(std::vector<std::string> args) const {
    std::vector<std::string> argv = {CHOREO_CLI_PATH, "--broker", broker_->address(), "--tls-ca",
                                     ca_.cert.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // How every program of the example connects as `user`.
  std::vector<std::string> ClientFlags(const std::string& user) const {
    return {"--broker=" + broker_->address(), "--tls-ca=" + ca_.cert.string(), "--user=" + user,
            "--password-file=" + (secrets_ / user).string()};
  }

  std::unique_ptr<ServiceProcess> Service(const std::string& name, const std::string& binary,
                                          std::vector<std::string> flags) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const std::string& flag : ClientFlags(name))
      argv.push_back(flag);
    argv.push_back("--state-dir=" + (dir_.path() / "state" / name).string());
    return std::make_unique<ServiceProcess>(argv, dir_.path() / (name + ".log"));
  }

  // The super user's options.
  ClientOptions AdminClient() const {
    ClientOptions options;
    options.broker = broker_->address();
    options.client_id = "secure-order-saga-test";
    options.tls = {.enabled = true, .ca_file = ca_.cert.string()};
    options.sasl = {.username = "admin", .password = "admin-test-password"};
    return options;
  }

  // Events stored in `topic`; -1 on an error.
  int64_t StoredEvents(Admin& admin, const std::string& topic) {
    Result<TopicDescription> description = admin.DescribeTopic(topic);
    if (!description.ok()) return -1;
    int64_t events = 0;
    for (const PartitionDescription& p : description->partitions)
      events += p.high_watermark;
    return events;
  }

  // True once `group` has committed every event of `inputs`.
  bool Drained(Admin& admin, const std::string& group, const std::vector<std::string>& inputs) {
    Result<GroupDescription> description = admin.DescribeGroup(group);
    if (!description.ok()) return false;
    std::map<TopicPartition, int64_t> committed;
    for (const GroupPartitionOffset& o : description->offsets)
      committed[o.partition] = o.committed_offset;
    for (const std::string& topic : inputs) {
      Result<TopicDescription> t = admin.DescribeTopic(topic);
      if (!t.ok()) return false;
      for (const PartitionDescription& p : t->partitions) {
        // A partition without events has nothing committed (-1).
        if (p.high_watermark > 0 && committed[{topic, p.partition}] != p.high_watermark) {
          return false;
        }
      }
    }
    return true;
  }

  TempDir dir_;
  CertFiles ca_, server_;
  std::filesystem::path secrets_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(SecureOrderSagaTest, EachServiceWithOnlyItsOwnAclsRunsTheSagaAndCannotWriteAnothersTopic) {
  const auto started = std::chrono::steady_clock::now();
  // Bootstrap: the super user, while nobody needs to authenticate (TLS already on).
  StartBroker({});
  ProcessResult admin_added = RunProcess(Cli({"--password-stdin", "user", "add", "admin"}),
                                         ReadFile(secrets_ / "admin"), dir_.path());
  ASSERT_EQ(admin_added.exit_code, 0) << admin_added.err;
  ASSERT_TRUE(broker_->Stop());
  StartBroker({"--auth=sasl", "--super-users=admin"});

  // The users, topics and ACLs, made by the example's script as admin.
  ASSERT_EQ(setenv("CHOREO", CHOREO_CLI_PATH, 1), 0);
  ASSERT_EQ(setenv("ADMIN_PASSWORD_FILE", (secrets_ / "admin").c_str(), 1), 0);
  ProcessResult setup = RunProcess({"/bin/bash", ORDER_SAGA_SECURE_SETUP_PATH, secrets_.string(),
                                    "--broker", broker_->address(), "--tls-ca", ca_.cert.string()},
                                   "", dir_.path(), seconds(120));
  ASSERT_EQ(setup.exit_code, 0) << setup.out << setup.err;
  std::cout << "set up after " << Ms(std::chrono::steady_clock::now() - started) << " ms\n";

  const std::string p = "--fail-probability=0.2";
  auto orders = Service("order-service", ORDER_SERVICE_PATH, {"run"});
  auto payment = Service("payment-service", PAYMENT_SERVICE_PATH, {p});
  auto shipping = Service("shipping-service", SHIPPING_SERVICE_PATH, {p});
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()})
    ASSERT_TRUE(service->Start());
  std::vector<std::string> place = {ORDER_SERVICE_PATH, "place", "--id-prefix=secure-",
                                    "--count=" + std::to_string(kOrders), "--rate=0"};
  for (const std::string& flag : ClientFlags("order-service"))
    place.push_back(flag);
  ServiceProcess placer(place, dir_.path() / "placer.log");
  ASSERT_TRUE(placer.Start());
  ASSERT_EQ(placer.Wait(seconds(90)), 0) << placer.LogTail();

  Result<std::unique_ptr<Admin>> admin = Admin::Connect(AdminClient());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  const std::vector<std::pair<std::string, std::vector<std::string>>> inputs = {
      {"payment-service", {"shop.v1.OrderCreated", "shop.v1.ShipmentFailed"}},
      {"shipping-service", {"shop.v1.PaymentSucceeded"}},
      {"order-service",
       {"shop.v1.PaymentFailed", "shop.v1.ShipmentCreated", "shop.v1.PaymentRefunded",
        "shop.v1.PaymentTimedOut"}}};
  auto terminal = [&] {
    return StoredEvents(**admin, "shop.v1.OrderCompleted") +
           StoredEvents(**admin, "shop.v1.OrderCancelled");
  };
  auto finished = [&] {
    if (terminal() < kOrders) return false;
    for (const auto& [group, topics] : inputs) {
      if (!Drained(**admin, group, topics)) return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitFor(finished, "every saga to finish", seconds(90)))
      << terminal() << " orders ended; drained: payment-service "
      << Drained(**admin, inputs[0].first, inputs[0].second) << ", shipping-service "
      << Drained(**admin, inputs[1].first, inputs[1].second) << ", order-service "
      << Drained(**admin, inputs[2].first, inputs[2].second) << "\norder-service:\n"
      << orders->LogTail() << "\npayment-service:\n"
      << payment->LogTail() << "\nshipping-service:\n"
      << shipping->LogTail();
  std::cout << "sagas finished after " << Ms(std::chrono::steady_clock::now() - started) << " ms\n";

  // payment-service's credentials, used to place an order: order-service's topic is refused.
  std::vector<std::string> forged = {ORDER_SERVICE_PATH, "place", "--id-prefix=forged-",
                                     "--count=1", "--payment-timeout=0"};
  for (const std::string& flag : ClientFlags("payment-service"))
    forged.push_back(flag);
  ProcessResult refused = RunProcess(forged, "", dir_.path(), seconds(60));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("FAILED to place forged-1: AUTHORIZATION_FAILED: principal "
                             "'payment-service' is not allowed to write topic "
                             "'shop.v1.OrderCreated'"),
            std::string::npos)
      << refused.out << refused.err;

  // saga-watch, as its read-only user, sees every saga's first event.
  std::vector<std::string> watch = {SAGA_WATCH_PATH, "--from-beginning",
                                    "--exit-when-idle-ms=1500"};
  for (const std::string& flag : ClientFlags("saga-watch"))
    watch.push_back(flag);
  ProcessResult watched = RunProcess(watch, "", dir_.path(), seconds(60));
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  int watched_orders = 0;
  std::istringstream lines(watched.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" OrderCreated ") != std::string::npos &&
        line.find(" saga=secure-") != std::string::npos) {
      ++watched_orders;
    }
  }
  EXPECT_EQ(watched_orders, kOrders) << watched.out << watched.err;

  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    EXPECT_TRUE(service->Running()) << "a service died:\n" << service->LogTail();
    service->SignalStop();
  }
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()})
    EXPECT_TRUE(service->WaitStopped(seconds(20)));

  // Every saga ended exactly once and consistently (order_saga_audit.h), nothing dead-lettered,
  // and no forged order exists.
  std::set<std::string> expected;
  for (int i = 1; i <= kOrders; ++i)
    expected.insert("secure-" + std::to_string(i));
  const SagaAudit audit =
      AuditSagas(ReadSagaLog(AdminClient(), order_saga::EventTopics()), expected);
  std::ostringstream violations;
  for (size_t i = 0; i < audit.violations.size() && i < 30; ++i)
    violations << "  " << audit.violations[i] << "\n";
  EXPECT_TRUE(audit.violations.empty()) << violations.str();
  EXPECT_EQ(audit.outcomes.terminal.size(), static_cast<size_t>(kOrders));
  EXPECT_GT(audit.outcomes.completed, 0);
  EXPECT_GT(audit.outcomes.declined, 0);
  for (const std::string service : {"order-service", "payment-service", "shipping-service"})
    EXPECT_EQ(StoredEvents(**admin, service + ".dlq"), 0) << service << " dead-lettered events";
  std::cout << audit.outcomes.completed << " completed, " << audit.outcomes.declined
            << " declined, " << audit.outcomes.refunded << " refunded, " << audit.outcomes.timed_out
            << " timed out; " << Ms(std::chrono::steady_clock::now() - started) << " ms in all\n";
}

}  // namespace
}  // namespace choreo::e2e
