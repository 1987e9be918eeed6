// The order saga of examples/order-saga, end to end: choreod and the example's services as real
// processes, 1000 orders with random payment and shipping failures, while each service is
// SIGKILLed and restarted once and the broker once, all mid-run. Afterwards the log itself (every
// event of every saga topic, read with a plain consumer) must show each saga finished exactly once
// and consistently (order_saga_audit.h lists the invariants), order-service's own table of terminal
// states must agree with it, and nothing may be dead-lettered.
//
// The broker runs with --fsync=never: the crashes here are process crashes (SIGKILL), after which
// unsynced writes are still in the OS page cache, so what the test checks is unchanged, and
// skipping an fsync per group commit keeps the run well under two minutes on a shared 2-core box.
// (Surviving power loss is the durability tests' subject, with --fsync=always.)
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/topics.h"
#include "tests/broker/raw_connection.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/group_test_util.h"
#include "tests/e2e/order_saga_audit.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_process.h"

#if !defined(ORDER_SERVICE_PATH) || !defined(PAYMENT_SERVICE_PATH) || \
    !defined(SHIPPING_SERVICE_PATH)
#error "the example's service binaries must be named"
#endif

namespace choreo::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kOrders = 1000;
constexpr double kOrdersPerSecond = 100;
constexpr char kFailureProbability[] = "0.2";  // of a payment, and of a shipment

class OrderSagaTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.keep_port = true;  // the services reconnect to the same address after the crash
    options.fsync = "never";   // see the top of the file
    return options;
  }

  std::unique_ptr<ServiceProcess> Service(const std::string& name, const std::string& binary,
                                          std::vector<std::string> extra) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (std::string flag :
         {"--broker=" + broker_->address(),
          "--state-dir=" + (dir_.path() / "state" / name).string(), std::string("--workers=4"),
          // A restarted instance takes its partitions back at once (static
          // membership); a short session bounds the wait if it does not.
          "--instance-id=" + name + "-1", std::string("--session-timeout-ms=3000")}) {
      argv.push_back(flag);
    }
    return std::make_unique<ServiceProcess>(argv, dir_.path() / (name + ".log"));
  }

  // One Admin for the polling below, re-connected after its connection is lost (an Admin does not
  // reconnect by itself); null while the broker is away.
  Admin* Connected() {
    if (admin_ == nullptr) {
      Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
      if (admin.ok()) admin_ = std::move(admin).value();
    }
    return admin_.get();
  }
  void Forget(const Status& status) {
    if (status.code() == ErrorCode::kConnectionFailed || status.code() == ErrorCode::kTimeout) {
      admin_.reset();
    }
  }

  // The events stored in `topic` (sum of its partitions' high watermarks); -1 while unknown (no
  // such topic yet, or the broker is away).
  int64_t StoredEvents(const std::string& topic) {
    Admin* admin = Connected();
    if (admin == nullptr) return -1;
    Result<TopicDescription> description = admin->DescribeTopic(topic);
    if (!description.ok()) {
      Forget(description.status());
      return -1;
    }
    int64_t events = 0;
    for (const PartitionDescription& p : description->partitions)
      events += p.high_watermark;
    return events;
  }

  // True once `group` has committed every event of its input topics.
  bool Drained(const std::string& group, const std::vector<std::string>& inputs) {
    Admin* admin = Connected();
    if (admin == nullptr) return false;
    Result<GroupDescription> description = admin->DescribeGroup(group);
    if (!description.ok()) {
      Forget(description.status());
      return false;
    }
    std::map<TopicPartition, int64_t> committed;
    for (const GroupPartitionOffset& o : description->offsets) {
      committed[o.partition] = o.committed_offset;
    }
    for (const std::string& topic : inputs) {
      Result<TopicDescription> t = admin->DescribeTopic(topic);
      if (!t.ok()) {
        Forget(t.status());
        return false;
      }
      for (const PartitionDescription& p : t->partitions) {
        if (p.high_watermark > 0 && committed[{topic, p.partition}] != p.high_watermark) {
          return false;
        }
      }
    }
    return true;
  }

  // order-service's table of terminal states: order id -> every state written for it.
  std::map<std::string, std::set<std::string>> OrderTable() const {
    std::map<std::string, std::set<std::string>> table;
    std::istringstream in(ReadFile(dir_.path() / "state" / "order-service" / "orders.tsv"));
    std::string line;
    while (std::getline(in, line)) {
      const size_t tab = line.find('\t');
      const size_t tab2 = line.find('\t', tab + 1);
      if (tab == std::string::npos) continue;
      table[line.substr(0, tab)].insert(line.substr(tab + 1, tab2 - tab - 1));
    }
    return table;
  }

  std::unique_ptr<Admin> admin_;
};

TEST_F(OrderSagaTest, EveryOrderEndsOnceThroughCrashesOfEveryServiceAndTheBroker) {
  const auto started = std::chrono::steady_clock::now();
  const std::string p = std::string("--fail-probability=") + kFailureProbability;
  auto orders = Service("order-service", ORDER_SERVICE_PATH, {"run"});
  auto payment = Service("payment-service", PAYMENT_SERVICE_PATH, {p});
  auto shipping = Service("shipping-service", SHIPPING_SERVICE_PATH, {p});
  ASSERT_TRUE(orders->Start());
  ASSERT_TRUE(payment->Start());
  ASSERT_TRUE(shipping->Start());

  ServiceProcess placer({ORDER_SERVICE_PATH, "place", "--broker=" + broker_->address(),
                         "--count=" + std::to_string(kOrders),
                         "--rate=" + std::to_string(kOrdersPerSecond), "--id-prefix=e2e-"},
                        dir_.path() / "placer.log");
  ASSERT_TRUE(placer.Start());

  // Crash each process once while orders keep coming, at points set by the orders placed so far.
  const std::string created = "shop.v1.OrderCreated";
  auto placed_at_least = [&](int64_t n) {
    return WaitFor([&] { return StoredEvents(created) >= n; }, std::to_string(n) + " orders placed",
                   seconds(60));
  };
  ASSERT_TRUE(placed_at_least(150));
  payment->Kill();
  ASSERT_TRUE(payment->Start());
  ASSERT_TRUE(placed_at_least(300));
  shipping->Kill();
  ASSERT_TRUE(shipping->Start());
  ASSERT_TRUE(placed_at_least(450));
  orders->Kill();
  ASSERT_TRUE(orders->Start());
  ASSERT_TRUE(placed_at_least(600));
  broker_->Kill();
  ASSERT_TRUE(broker_->Start());
  std::cout << "crashes done after " << Ms(std::chrono::steady_clock::now() - started) << " ms\n";

  ASSERT_EQ(placer.Wait(seconds(90)), 0) << placer.LogTail();
  // Done: every saga has a terminal event and every service has committed all its input.
  auto finished = [&] {
    return StoredEvents("shop.v1.OrderCompleted") + StoredEvents("shop.v1.OrderCancelled") >=
               kOrders &&
           Drained("payment-service", {"shop.v1.OrderCreated", "shop.v1.ShipmentFailed"}) &&
           Drained("shipping-service", {"shop.v1.PaymentSucceeded"}) &&
           Drained("order-service", {"shop.v1.PaymentFailed", "shop.v1.ShipmentCreated",
                                     "shop.v1.PaymentRefunded", "shop.v1.PaymentTimedOut"});
  };
  EXPECT_TRUE(WaitFor(finished, "every saga to finish", seconds(90)))
      << "order-service:\n"
      << orders->LogTail() << "\npayment-service:\n"
      << payment->LogTail() << "\nshipping-service:\n"
      << shipping->LogTail();
  std::cout << "sagas finished after " << Ms(std::chrono::steady_clock::now() - started) << " ms\n";

  // The services rode out the broker's crash, and stop cleanly.
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    EXPECT_TRUE(service->Running()) << "a service died:\n" << service->LogTail();
    service->SignalStop();
  }
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    EXPECT_TRUE(service->WaitStopped(seconds(20)));
  }

  std::set<std::string> expected;
  for (int i = 1; i <= kOrders; ++i)
    expected.insert("e2e-" + std::to_string(i));
  const SagaLog log = ReadSagaLog(Client(), order_saga::EventTopics());
  EXPECT_TRUE(log.unreadable.empty()) << log.unreadable.size() << " records without an envelope, "
                                      << "e.g. " << log.unreadable.front();
  const SagaAudit audit = AuditSagas(log, expected);
  std::ostringstream violations;
  for (size_t i = 0; i < audit.violations.size() && i < 30; ++i) {
    violations << "  " << audit.violations[i] << "\n";
  }
  EXPECT_TRUE(audit.violations.empty())
      << audit.violations.size() << " violations, the first ones:\n"
      << violations.str();
  EXPECT_EQ(audit.outcomes.terminal.size(), static_cast<size_t>(kOrders));
  // Each path of the choreography was taken, compensations included.
  EXPECT_GT(audit.outcomes.completed, 0);
  EXPECT_GT(audit.outcomes.declined, 0);
  EXPECT_GT(audit.outcomes.refunded, 0);

  // order-service's own table says what the log says (a row may repeat, never disagree).
  const auto table = OrderTable();
  EXPECT_EQ(table.size(), audit.outcomes.terminal.size());
  int disagreements = 0;
  for (const auto& [order, state] : audit.outcomes.terminal) {
    auto row = table.find(order);
    if (row == table.end() || row->second != std::set<std::string>{state}) ++disagreements;
  }
  EXPECT_EQ(disagreements, 0) << "orders whose orders.tsv rows disagree with the log";

  // Nothing was dead-lettered.
  for (const std::string service : {"order-service", "payment-service", "shipping-service"}) {
    EXPECT_LE(StoredEvents(service + ".dlq"), 0) << service << " dead-lettered events";
  }
  std::cout << log.events << " events in " << log.sagas.size()
            << " sagas: " << audit.outcomes.completed << " completed, " << audit.outcomes.declined
            << " cancelled (payment declined), " << audit.outcomes.refunded
            << " cancelled (shipping failed, refunded), " << audit.outcomes.timed_out
            << " cancelled (payment timed out); " << Ms(std::chrono::steady_clock::now() - started)
            << " ms in all\n";
}

}  // namespace
}  // namespace choreo::e2e

namespace choreo::e2e {
namespace {

// Stuck sagas (issue 10): with payment-service down, every order waits after OrderCreated; once the
// definition's deadline passes, the broker lists each as stuck (and /metrics counts them); when
// payment-service comes back, the sagas finish and the list empties.
TEST_F(OrderSagaTest, SagasWaitingForAStoppedServiceShowUpAsStuckAndClearWhenItReturns) {
  constexpr int kStuckOrders = 20;
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(
      admin
          ->DefineSaga({.name = "order",
                        .start_types = {"shop.v1.OrderCreated"},
                        .terminal_types = {"shop.v1.OrderCompleted", "shop.v1.OrderCancelled"},
                        .deadline_ms = 2000})
          .ok());
  auto orders = Service("order-service", ORDER_SERVICE_PATH, {"run"});
  auto shipping = Service("shipping-service", SHIPPING_SERVICE_PATH, {});
  ASSERT_TRUE(orders->Start());
  ASSERT_TRUE(shipping->Start());
  ServiceProcess placer(
      {ORDER_SERVICE_PATH, "place", "--broker=" + broker_->address(),
       "--count=" + std::to_string(kStuckOrders), "--rate=100", "--id-prefix=stuck-",
       // No payment timeout: these sagas are to stay stuck until payment-service returns.
       "--payment-timeout=0"},
      dir_.path() / "placer.log");
  ASSERT_TRUE(placer.Start());
  ASSERT_EQ(placer.Wait(seconds(60)), 0) << placer.LogTail();

  auto stuck_count = [&](uint64_t* open) -> int64_t {
    Result<StuckSagas> stuck = admin->FindStuckSagas("order", 1000);
    if (!stuck.ok() || stuck->counts.size() != 1) return -1;
    if (open != nullptr) *open = stuck->counts[0].open;
    for (const StuckSaga& saga : stuck->sagas) {
      // Each waits after its first event, for the payment that never comes.
      if (saga.last_event.type != "shop.v1.OrderCreated") return -2;
    }
    return static_cast<int64_t>(stuck->sagas.size());
  };
  EXPECT_TRUE(WaitFor([&] { return stuck_count(nullptr) == kStuckOrders; },
                      "every order to be listed as stuck", seconds(60)))
      << "stuck: " << stuck_count(nullptr);
  const std::string metrics = broker::testing::HttpGet(broker_->http_port(), "/metrics").body;
  EXPECT_NE(metrics.find("choreo_sagas_stuck{saga=\"order\"} " + std::to_string(kStuckOrders)),
            std::string::npos)
      << metrics;

  auto payment = Service("payment-service", PAYMENT_SERVICE_PATH, {});
  ASSERT_TRUE(payment->Start());
  uint64_t open = 1;
  EXPECT_TRUE(WaitFor([&] { return stuck_count(&open) == 0 && open == 0; },
                      "the sagas to finish once payment-service is back", seconds(60)))
      << "stuck: " << stuck_count(&open) << ", open: " << open << "\n"
      << payment->LogTail();
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    service->SignalStop();
  }
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    EXPECT_TRUE(service->WaitStopped(seconds(20)));
  }
}

// Saga timers (issue 11): with payment-service down, each order's payment timeout fires and
// order-service cancels the order; when payment-service comes back and reads the old OrderCreated
// events, it finds each timer fired and charges nothing. The log must show, per saga, exactly
// OrderCreated -> PaymentTimedOut -> OrderCancelled.
TEST_F(OrderSagaTest, PaymentTimeoutsCancelOrdersWhilePaymentServiceIsDown) {
  constexpr int kOrders = 10;
  auto orders = Service("order-service", ORDER_SERVICE_PATH, {"run"});
  auto shipping = Service("shipping-service", SHIPPING_SERVICE_PATH, {});
  ASSERT_TRUE(orders->Start());
  ASSERT_TRUE(shipping->Start());
  ServiceProcess placer({ORDER_SERVICE_PATH, "place", "--broker=" + broker_->address(),
                         "--count=" + std::to_string(kOrders), "--rate=100", "--id-prefix=late-",
                         "--payment-timeout=2"},
                        dir_.path() / "placer.log");
  ASSERT_TRUE(placer.Start());
  ASSERT_EQ(placer.Wait(seconds(60)), 0) << placer.LogTail();
  EXPECT_TRUE(WaitFor([&] { return StoredEvents("shop.v1.OrderCancelled") >= kOrders; },
                      "every order to be cancelled by its payment timeout", seconds(60)))
      << orders->LogTail();

  // payment-service comes back and works through the OrderCreated backlog: nothing to charge.
  auto payment = Service("payment-service", PAYMENT_SERVICE_PATH, {});
  ASSERT_TRUE(payment->Start());
  EXPECT_TRUE(WaitFor([&] { return Drained("payment-service", {"shop.v1.OrderCreated"}); },
                      "payment-service to read every order", seconds(60)))
      << payment->LogTail();
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    service->SignalStop();
  }
  for (ServiceProcess* service : {orders.get(), payment.get(), shipping.get()}) {
    EXPECT_TRUE(service->WaitStopped(seconds(20)));
  }

  // The audit reads every event topic; those of the paths not taken were never created.
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  for (const std::string& topic : order_saga::EventTopics()) {
    Status created = admin->CreateTopic(topic, {.partitions = 4});
    ASSERT_TRUE(created.ok() || created.code() == ErrorCode::kTopicAlreadyExists)
        << created.ToString();
  }
  std::set<std::string> expected;
  for (int i = 1; i <= kOrders; ++i)
    expected.insert("late-" + std::to_string(i));
  const SagaAudit audit = AuditSagas(ReadSagaLog(Client(), order_saga::EventTopics()), expected);
  std::ostringstream violations;
  for (const std::string& v : audit.violations)
    violations << "  " << v << "\n";
  EXPECT_TRUE(audit.violations.empty()) << violations.str();
  EXPECT_EQ(audit.outcomes.timed_out, kOrders);
  EXPECT_LE(StoredEvents("shop.v1.PaymentSucceeded"), 0);
  EXPECT_LE(StoredEvents("shop.v1.PaymentFailed"), 0);
  const auto table = OrderTable();
  EXPECT_EQ(table.size(), static_cast<size_t>(kOrders));
  for (const auto& [order, states] : table) {
    EXPECT_EQ(states, std::set<std::string>{"CANCELLED"}) << order;
  }
}

}  // namespace
}  // namespace choreo::e2e
