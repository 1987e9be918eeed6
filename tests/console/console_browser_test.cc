// The web console in a real browser: choreod (with --http-console-actions) runs the order saga of
// examples/order-saga (its three services as processes), plus a fraud-check service in this
// process that dead-letters one order, and a saga whose first event went to a topic no service
// reads, so it gets stuck. Then headless Chromium loads every page of the console and the test
// checks that none raises a console error (uncaught exception, console.error, failed load, CSP
// violation), that each shows what it is for, and that the saga page draws the timeline of a
// known saga with exactly the events the log holds for it. A replay is requested through the
// dead-letter page, and the schema page shows a registered event type's fields. Screenshots of
// every page are written to the build tree (the path is printed).
//
// Skipped (GTEST_SKIP) when chromium is not installed: scripts/install-deps.sh installs it.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/topic_reader.h"
#include "choreo/saga/envelope.h"
#include "choreo/saga/publisher.h"
#include "choreo/saga/schemas.h"
#include "choreo/saga/service.h"
#include "proto/order_saga.pb.h"
#include "tests/broker/raw_connection.h"
#include "tests/console/chromium.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/process.h"

#if !defined(CHOREOD_PATH) || !defined(ORDER_SERVICE_PATH) || !defined(PAYMENT_SERVICE_PATH) || \
    !defined(SHIPPING_SERVICE_PATH) || !defined(CONSOLE_ARTIFACT_DIR)
#error "the binaries and the artifact directory must be named"
#endif

namespace choreo::console_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kOrders = 8;
constexpr char kKnownSaga[] = "console-1";
constexpr char kDeadSaga[] = "console-3";  // fraud-check fails on it: a dead letter
constexpr char kStuckSaga[] = "console-stuck";
constexpr int kWidth = 1400;
constexpr int kHeight = 900;

// Polls `condition` until it holds or `timeout` passes (state in other processes has no
// notification to wait on).
bool WaitUntil(const std::function<bool()>& condition, milliseconds timeout = seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

class ServiceProcess {
 public:
  ServiceProcess(std::vector<std::string> argv, std::filesystem::path log)
      : argv_(std::move(argv)), log_(std::move(log)) {}
  ~ServiceProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      if (e2e::WaitForExit(pid_, seconds(20)) == -1) {
        kill(pid_, SIGKILL);
        e2e::WaitForExit(pid_, seconds(20));
      }
    }
  }
  bool Start() {
    pid_ = e2e::Spawn(argv_, "/dev/null", log_, log_);
    return pid_ > 0;
  }

 private:
  std::vector<std::string> argv_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

// A saga event as the log holds it.
struct LoggedEvent {
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
  saga::Envelope envelope;
};

class ConsoleBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = Chromium::FindBinary();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed (/usr/bin/chromium, or set CHOREO_CHROMIUM): "
                      "scripts/install-deps.sh installs Debian's chromium package";
    }
    artifacts_ = std::filesystem::path(CONSOLE_ARTIFACT_DIR);
    std::filesystem::remove_all(artifacts_);
    std::filesystem::create_directories(artifacts_);
    std::cout << "[console] screenshots and logs go to " << artifacts_.string() << std::endl;
    broker_ = std::make_unique<e2e::BrokerProcess>(
        dir_.path(),
        e2e::BrokerProcess::Options{.fsync = "never", .extra_flags = {"--http-console-actions"}});
    ASSERT_TRUE(broker_->Start());
    client_.broker = broker_->address();
  }

  void TearDown() override {
    services_.clear();
    if (fraud_check_) fraud_check_->Stop();
    if (broker_) {
      std::filesystem::copy_file(dir_.path() / "broker.log", artifacts_ / "broker.log",
                                 std::filesystem::copy_options::overwrite_existing);
      EXPECT_TRUE(broker_->Stop());
    }
  }

  std::string Http(const std::string& path) {
    return broker::testing::HttpGet(broker_->http_port(), path).body;
  }

  void StartServices() {
    const std::string broker = "--broker=" + broker_->address();
    auto service = [&](const std::string& name, std::vector<std::string> argv) {
      argv.push_back(broker);
      argv.push_back("--state-dir=" + (dir_.path() / "state" / name).string());
      services_.push_back(std::make_unique<ServiceProcess>(argv, artifacts_ / (name + ".log")));
      ASSERT_TRUE(services_.back()->Start()) << name;
    };
    service("payment-service", {PAYMENT_SERVICE_PATH, "--fail-probability=0.25"});
    service("shipping-service", {SHIPPING_SERVICE_PATH, "--fail-probability=0.25"});
    service("order-service", {ORDER_SERVICE_PATH, "run"});
  }

  // A fraud check that rejects one order on every attempt: it is dead-lettered in
  // fraud-check.dlq, and its saga is parked for this service.
  void StartFraudCheck() {
    saga::ServiceOptions options{.client = client_, .service = "fraud-check"};
    options.retry = saga::RetryPolicy{.max_attempts = 2, .initial_backoff = milliseconds(10)};
    options.logger = [](saga::LogLevel, std::string_view) {};  // the dead letter is expected
    auto service = saga::SagaService::Create(options);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    fraud_check_ = std::move(service).value();
    fraud_check_->On<shop::v1::OrderCreated>(
        [](saga::HandlerContext& ctx, const shop::v1::OrderCreated&) -> Status {
          if (ctx.saga_id() == kDeadSaga) {
            return Status(ErrorCode::kInvalidArgument, "card number on the block list");
          }
          return OkStatus();
        });
    fraud_check_->On<shop::v1::PaymentSucceeded>(
        [](saga::HandlerContext&, const shop::v1::PaymentSucceeded&) { return OkStatus(); });
    ASSERT_TRUE(fraud_check_->Start().ok());
  }

  // An order whose OrderCreated was published to a topic no service reads: it never finishes.
  void PublishStuckSaga() {
    auto publisher = saga::Publisher::Create(
        {.client = client_, .events = {.source = "checkout-api"}, .create_topic_partitions = 1});
    ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
    shop::v1::OrderCreated order;
    order.set_order_id(kStuckSaga);
    order.set_customer_id("cust-7");
    order.set_sku("teapot-cast-iron");
    order.set_quantity(1);
    order.set_amount_cents(4200);
    auto published =
        (*publisher)
            ->Publish(kStuckSaga, order, saga::PublishOptions{.topic = "shop.v1.OrderDrafts"});
    ASSERT_TRUE(published.ok()) << published.status().ToString();
    ASSERT_TRUE((*publisher)->Close(seconds(10)).ok());
  }

  size_t OrdersFinished() const {
    std::istringstream in(e2e::ReadFile(dir_.path() / "state" / "order-service" / "orders.tsv"));
    std::set<std::string> orders;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) orders.insert(line.substr(0, line.find('\t')));
    }
    return orders.size();
  }

  // Every saga event of `saga_id` in the shop.v1.* topics, read from the log.
  std::vector<LoggedEvent> LoggedSaga(const std::string& saga_id) {
    std::vector<LoggedEvent> out;
    auto admin = Admin::Connect(client_);
    EXPECT_TRUE(admin.ok());
    if (!admin.ok()) return out;
    auto topics = (*admin)->ListTopics();
    EXPECT_TRUE(topics.ok());
    if (!topics.ok()) return out;
    for (const TopicDescription& topic : *topics) {
      if (topic.name.rfind("shop.v1.", 0) != 0) continue;
      Status read = ReadTopicToEnd(client_, topic.name, seconds(20), [&](ConsumedRecord&& r) {
        auto envelope = saga::ReadEnvelope(r.record.headers);
        if (r.record.key != saga_id || !envelope.ok()) return;
        out.push_back(LoggedEvent{r.topic, r.partition, r.offset, std::move(envelope).value()});
      });
      EXPECT_TRUE(read.ok()) << topic.name << ": " << read.ToString();
    }
    return out;
  }

  // Loads `route` (after '#') in a new document and waits until the page has rendered.
  ::testing::AssertionResult Load(const std::string& route) {
    const std::string url = "http://127.0.0.1:" + std::to_string(broker_->http_port()) +
                            "/?load=" + std::to_string(++loads_) + "#" + route;
    auto loaded = browser_->Navigate(url, seconds(30));
    if (!loaded) return loaded;
    std::string state;
    // The document's own "loading" -> "ready" | "error" (js/app.js), for this load's URL.
    const std::string expression = "location.search + ' ' + document.body.dataset.state";
    const std::string tag = "?load=" + std::to_string(loads_);
    auto rendered =
        browser_->WaitForValue(expression, {tag + " ready", tag + " error"}, seconds(30), &state);
    if (!rendered) return rendered;
    if (state != tag + " ready") {
      google::protobuf::Value text;
      (void)browser_->Evaluate("document.getElementById('main').innerText", &text);
      return ::testing::AssertionFailure() << route << " failed to render: " << text.string_value();
    }
    return ::testing::AssertionSuccess();
  }

  std::string Text(const std::string& expression) {
    google::protobuf::Value value;
    EXPECT_TRUE(browser_->Evaluate(expression, &value));
    return value.kind_case() == google::protobuf::Value::kStringValue
               ? value.string_value()
               : std::to_string(static_cast<int64_t>(value.number_value()));
  }

  int Count(const std::string& selector) {
    return std::stoi(
        Text("String(document.querySelectorAll(" + JsonString(selector) + ").length)"));
  }

  // Screenshot, then no console error may have happened on the page.
  void Finish(const std::string& name) {
    const std::filesystem::path shot = artifacts_ / (name + ".png");
    EXPECT_TRUE(browser_->Screenshot(shot));
    for (const std::string& error : browser_->TakeErrors())
      ADD_FAILURE() << name << ": " << error;
  }

  std::string chromium_;
  e2e::TempDir dir_;
  std::filesystem::path artifacts_;
  std::unique_ptr<e2e::BrokerProcess> broker_;
  ClientOptions client_;
  std::vector<std::unique_ptr<ServiceProcess>> services_;
  std::unique_ptr<saga::SagaService> fraud_check_;
  std::unique_ptr<Chromium> browser_;
  int loads_ = 0;
};

TEST_F(ConsoleBrowserTest, EveryPageLoadsCleanlyAndTheSagaPageDrawsTheTimeline) {
  // The data: sagas of the order example, one dead-lettered, one stuck.
  auto admin = Admin::Connect(client_);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)
                  ->DefineSaga(SagaDefinition{
                      .name = "order",
                      .start_types = {"shop.v1.OrderCreated"},
                      .terminal_types = {"shop.v1.OrderCompleted", "shop.v1.OrderCancelled"},
                      .deadline_ms = 1000})
                  .ok());
  StartServices();
  StartFraudCheck();
  const e2e::ProcessResult placed =
      e2e::RunProcess({ORDER_SERVICE_PATH, "place", "--broker=" + broker_->address(),
                       "--count=" + std::to_string(kOrders), "--rate=0", "--id-prefix=console-"},
                      "", dir_.path());
  ASSERT_EQ(placed.exit_code, 0) << placed.err;
  PublishStuckSaga();
  ASSERT_TRUE(WaitUntil([&] { return OrdersFinished() == kOrders; }))
      << OrdersFinished() << " of " << kOrders << " orders finished";
  ASSERT_TRUE(WaitUntil([&] {
    return Http("/api/dead-letters/fraud-check.dlq").find("\"saga_id\":\"console-3\"") !=
           std::string::npos;
  })) << "no dead letter for "
      << kDeadSaga;
  ASSERT_TRUE(WaitUntil([&] {
    return Http("/api/sagas/stuck").find("\"saga_id\":\"console-stuck\"") != std::string::npos;
  })) << Http("/api/sagas/stuck");
  const std::vector<LoggedEvent> known = LoggedSaga(kKnownSaga);
  ASSERT_GE(known.size(), 3u);  // OrderCreated, a payment outcome, and at least one more
  std::vector<LoggedEvent> by_time = known;
  std::stable_sort(by_time.begin(), by_time.end(), [](const LoggedEvent& a, const LoggedEvent& b) {
    return a.envelope.time_ms < b.envelope.time_ms;
  });

  // One registered event type for the schema page.
  const google::protobuf::Descriptor& order_created = *shop::v1::OrderCreated::descriptor();
  ASSERT_TRUE((*admin)->RegisterSchema(saga::DescriptorSetOf(order_created), {}).ok());

  ASSERT_TRUE(Chromium::Launch(chromium_, dir_.path() / "chromium-profile",
                               artifacts_ / "chromium.log", kWidth, kHeight, &browser_));
  // The error collection itself: a console.error on a page is reported.
  google::protobuf::Value ignored;
  ASSERT_TRUE(browser_->Evaluate("console.error('probe'), 0", &ignored));
  const std::vector<std::string> probe = browser_->TakeErrors();
  ASSERT_EQ(probe.size(), 1u);
  EXPECT_NE(probe[0].find("probe"), std::string::npos) << probe[0];

  ASSERT_TRUE(Load("/"));
  EXPECT_GE(Count(".stat"), 8);
  EXPECT_NE(Text("document.body.innerText").find("shop.v1.OrderCreated"), std::string::npos);
  Finish("01-overview");

  ASSERT_TRUE(Load("/topics"));
  EXPECT_GE(Count("table.topics tbody tr"), 8);
  Finish("02-topics");

  // The known saga's first event in the record browser: envelope decoded, protobuf payload shown
  // as raw fields with the note that it has no schema.
  const LoggedEvent& first = by_time.front();
  ASSERT_TRUE(Load("/topics/" + first.topic + "?partition=" + std::to_string(first.partition) +
                   "&offset=" + std::to_string(first.offset)));
  EXPECT_EQ(Text("document.querySelector('article.record').dataset.offset"),
            std::to_string(first.offset));
  EXPECT_NE(Text("document.querySelector('article.record').innerText").find(first.envelope.id),
            std::string::npos);
  EXPECT_GE(Count("article.record .note"), 1);
  Finish("03-topic-records");

  ASSERT_TRUE(Load("/groups"));
  const std::string groups = Text("document.querySelector('table.groups').innerText");
  for (const char* group : {"payment-service", "shipping-service", "order-service", "fraud-check"})
    EXPECT_NE(groups.find(group), std::string::npos) << group;
  Finish("04-groups");

  ASSERT_TRUE(Load("/groups/payment-service"));
  EXPECT_GE(Count("table.members tbody tr"), 1);
  EXPECT_GE(Count("table.offsets tbody tr"), 1);
  Finish("05-group");

  ASSERT_TRUE(Load("/sagas"));
  EXPECT_NE(Text("document.querySelector('table.stuck').innerText").find(kStuckSaga),
            std::string::npos);
  EXPECT_EQ(Count("table.definitions .badge.dead"), 1);  // its stuck count agrees with the list
  Finish("06-sagas-stuck");

  ASSERT_TRUE(Load("/sagas?by=key&value=" + std::string(kKnownSaga)));
  EXPECT_EQ(Count("table.events tbody tr"), static_cast<int>(known.size()));
  Finish("07-search");

  // The timeline of the known saga: one arrow per event of the log, in time order, one lifeline
  // per service that published them.
  ASSERT_TRUE(Load("/sagas/" + std::string(kKnownSaga)));
  std::set<std::string> logged_ids;
  std::set<std::string> logged_sources;
  for (const LoggedEvent& e : known) {
    logged_ids.insert(e.envelope.id);
    logged_sources.insert(e.envelope.source);
  }
  std::set<std::string> drawn_ids;
  for (int i = 0; i < Count("svg.timeline .message"); ++i) {
    drawn_ids.insert(Text("document.querySelectorAll('svg.timeline .message')[" +
                          std::to_string(i) + "].dataset.eventId"));
  }
  EXPECT_EQ(drawn_ids, logged_ids);
  EXPECT_EQ(Count("svg.timeline .message"), static_cast<int>(known.size()));
  std::set<std::string> lifelines;
  for (int i = 0; i < Count("svg.timeline .lifeline"); ++i) {
    lifelines.insert(Text("document.querySelectorAll('svg.timeline .lifeline')[" +
                          std::to_string(i) + "].dataset.source"));
  }
  EXPECT_EQ(lifelines, logged_sources);
  EXPECT_EQ(Text("document.querySelector('svg.timeline .message').dataset.eventId"),
            by_time.front().envelope.id);
  // Every event after the first arrives along its causation link (no second "first event").
  EXPECT_EQ(Count("svg.timeline .message.first"), 1);
  EXPECT_EQ(Count("table.saga-events tbody tr"), static_cast<int>(known.size()));
  Finish("08-saga-timeline");

  // The dead-lettered saga: a red arrow to the group that could not handle its event.
  ASSERT_TRUE(Load("/sagas/" + std::string(kDeadSaga)));
  EXPECT_GE(Count("svg.timeline .arrow.dead"), 1);
  EXPECT_GE(Count("svg.timeline .lifeline[data-source='fraud-check']"), 1);
  Finish("09-saga-dead-letter");

  ASSERT_TRUE(Load("/dead-letters"));
  EXPECT_NE(Text("document.querySelector('table.dlq-topics').innerText").find("fraud-check.dlq"),
            std::string::npos);
  Finish("10-dead-letters");

  // Replay through the page (two clicks: the button asks for confirmation).
  ASSERT_TRUE(Load("/dead-letters/fraud-check.dlq"));
  const std::string button =
      "document.querySelector('article[data-saga=\"console-3\"] button[data-action=\"replay\"]')";
  ASSERT_EQ(Text("String(!!" + button + ")"), "true");
  Finish("11-dead-letter-topic");
  Text("(" + button + ".click(), 'clicked')");
  Text("(" + button + ".click(), 'clicked')");
  std::string flash;
  EXPECT_TRUE(browser_->WaitForValue(
      "String(!!document.querySelector('.flash') && "
      "document.querySelector('.flash').textContent.startsWith('replay requested'))",
      {"true"}, seconds(30), &flash));
  Finish("12-dead-letter-replay-requested");

  ASSERT_TRUE(Load("/schemas"));
  EXPECT_NE(Text("document.querySelector('table.schemas').innerText").find("shop.v1.OrderCreated"),
            std::string::npos);
  Finish("13-schemas");

  ASSERT_TRUE(Load("/schemas/shop.v1.OrderCreated"));
  EXPECT_EQ(Count("article.schema-version"), 1);
  // The first table is the type's own message.
  EXPECT_EQ(Text("String(document.querySelector('table.fields').querySelectorAll('tbody "
                 "tr').length)"),
            std::to_string(order_created.field_count()));
  EXPECT_NE(Text("document.querySelector('table.fields').innerText").find("order_id"),
            std::string::npos);
  Finish("14-schema");
}

}  // namespace
}  // namespace choreo::console_test
