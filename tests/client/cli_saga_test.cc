// `choreo events find`, `choreo saga ...` and `topic --event-index` against an in-process broker
// (choreo::testing) whose topics are filled by saga services and a publisher, the way a user's
// services fill them.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "choreo/client/admin.h"
#include "client/cli/cli.h"
#include "test_events.pb.h"
#include "tests/client/cli_output.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::cli {
namespace {

using saga::HandlerContext;
using saga::PublishedEvent;
using saga::testing::WaitFor;
using sagatest::v1::OrderPlaced;
using sagatest::v1::PaymentTaken;
using sagatest::v1::Step;
using sagatest::v1::StepSeen;

constexpr char kPlaced[] = "sagatest.v1.OrderPlaced";
constexpr char kPaid[] = "sagatest.v1.PaymentTaken";
constexpr char kStep[] = "sagatest.v1.Step";
constexpr char kSeen[] = "sagatest.v1.StepSeen";

// The first line containing `text`, or "".
std::string LineWith(const std::string& output, const std::string& text) {
  for (const std::string& line : Lines(output)) {
    if (line.find(text) != std::string::npos) return line;
  }
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

OrderPlaced Order(const std::string& id) {
  OrderPlaced order;
  order.set_order_id(id);
  order.set_amount_cents(100);
  return order;
}

#define EXPECT_SUCCEEDS(result) \
  EXPECT_EQ((result).exit_code, 0) << "stderr: " << (result).err << "\nstdout: " << (result).out

class SagaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = saga::testing::StartBroker();
    ASSERT_NE(broker_, nullptr);
    publisher_ = saga::testing::NewPublisher(*broker_);
    ASSERT_NE(publisher_, nullptr);
  }

  void TearDown() override {
    for (auto& service : services_)
      service->Stop();
  }

  CliResult Choreo(std::vector<std::string> args) {
    args.push_back("--broker");
    args.push_back(broker_->address());
    std::istringstream in;
    std::ostringstream out, err;
    CliResult result;
    result.exit_code = cli::Run(args, in, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  PublishedEvent Publish(const std::string& saga_id, const google::protobuf::Message& message) {
    Result<PublishedEvent> published = publisher_->Publish(saga_id, message);
    EXPECT_TRUE(published.ok()) << published.status().ToString();
    return published.ok() ? *published : PublishedEvent{};
  }

  // "payments": OrderPlaced -> PaymentTaken and Step (two children of one event); an order whose
  // id starts with "bad" fails every attempt and is dead-lettered to payments.dlq.
  // "shipping": PaymentTaken -> StepSeen.
  void StartServices() {
    auto payments =
        saga::SagaService::Create(saga::testing::TestServiceOptions(*broker_, "payments")).value();
    payments->On<OrderPlaced>([](HandlerContext& ctx, const OrderPlaced& order) -> Status {
      if (order.order_id().starts_with("bad")) return Status(ErrorCode::kUnknown, "card declined");
      PaymentTaken paid;
      paid.set_order_id(order.order_id());
      if (Status s = ctx.Publish(paid); !s.ok()) return s;
      Step step;
      step.set_saga(order.order_id());
      return ctx.Publish(step);
    });
    auto shipping =
        saga::SagaService::Create(saga::testing::TestServiceOptions(*broker_, "shipping")).value();
    shipping->On<PaymentTaken>([](HandlerContext& ctx, const PaymentTaken& paid) {
      StepSeen seen;
      seen.set_saga(paid.order_id());
      return ctx.Publish(seen);
    });
    ASSERT_TRUE(payments->Start().ok());
    ASSERT_TRUE(shipping->Start().ok());
    services_.push_back(std::move(payments));
    services_.push_back(std::move(shipping));
  }

  std::unique_ptr<choreo::testing::TestBroker> broker_;
  std::unique_ptr<saga::Publisher> publisher_;
  std::vector<std::unique_ptr<saga::SagaService>> services_;
};

TEST_F(SagaCliTest, EventsFindAnswersEachIndex) {
  const PublishedEvent first = Publish("order-1", Order("order-1"));
  const PublishedEvent second = Publish("order-2", Order("order-2"));
  PaymentTaken paid;
  paid.set_order_id("order-1");
  Publish("order-1", paid);

  CliResult by_saga = Choreo({"events", "find", "--saga", "order-1"});
  EXPECT_SUCCEEDS(by_saga);
  std::vector<std::string> lines = Lines(by_saga.out);
  ASSERT_EQ(lines.size(), 3u) << by_saga.out;
  EXPECT_EQ(lines[0], "TIME\tEVENT\tTYPE\tSOURCE\tEVENT_ID\tSAGA\tDLQ");
  const std::vector<std::string> fields = Fields(lines[1]);
  ASSERT_EQ(fields.size(), 7u) << lines[1];
  EXPECT_EQ(fields[0], saga::FormatRfc3339(first.envelope.time_ms));
  EXPECT_EQ(fields[1], std::string(kPlaced) + "/" + std::to_string(first.partition) + "@" +
                           std::to_string(first.offset));
  EXPECT_EQ(fields[2], kPlaced);
  EXPECT_EQ(fields[3], "test-publisher");
  EXPECT_EQ(fields[4], first.envelope.id);
  EXPECT_EQ(fields[5], "order-1");
  EXPECT_EQ(fields[6], "-");
  EXPECT_EQ(Fields(lines[2])[2], kPaid);

  CliResult by_id = Choreo({"events", "find", "--event-id", second.envelope.id});
  EXPECT_SUCCEEDS(by_id);
  ASSERT_EQ(Lines(by_id.out).size(), 2u) << by_id.out;
  EXPECT_EQ(Fields(Lines(by_id.out)[1])[5], "order-2");

  CliResult by_type = Choreo({"events", "find", "--type", kPlaced});
  EXPECT_SUCCEEDS(by_type);
  ASSERT_EQ(Lines(by_type.out).size(), 3u) << by_type.out;
  // Oldest first; the two may share a millisecond, so either order is right then.
  std::vector<std::string> ids = {Fields(Lines(by_type.out)[1])[4],
                                  Fields(Lines(by_type.out)[2])[4]};
  if (first.envelope.time_ms == second.envelope.time_ms) std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = {first.envelope.id, second.envelope.id};
  if (first.envelope.time_ms == second.envelope.time_ms)
    std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);

  CliResult by_key = Choreo({"events", "find", "--key", "order-2"});
  EXPECT_SUCCEEDS(by_key);
  EXPECT_EQ(Lines(by_key.out).size(), 2u) << by_key.out;

  CliResult limited = Choreo({"events", "find", "--type", kPlaced, "--limit", "1"});
  EXPECT_SUCCEEDS(limited);
  EXPECT_EQ(Lines(limited.out).size(), 2u) << limited.out;
  EXPECT_TRUE(Contains(limited.err, "more events may match")) << limited.err;

  CliResult other_topic = Choreo({"events", "find", "--saga", "order-1", "--topic", kPaid});
  EXPECT_SUCCEEDS(other_topic);
  ASSERT_EQ(Lines(other_topic.out).size(), 2u) << other_topic.out;
  EXPECT_EQ(Fields(Lines(other_topic.out)[1])[2], kPaid);

  CliResult future =
      Choreo({"events", "find", "--saga", "order-1", "--since", "2999-01-01T00:00:00Z"});
  EXPECT_SUCCEEDS(future);
  EXPECT_EQ(Lines(future.out).size(), 1u) << future.out;
  CliResult recent = Choreo({"events", "find", "--saga", "order-1", "--since", "1h"});
  EXPECT_SUCCEEDS(recent);
  EXPECT_EQ(Lines(recent.out).size(), 3u) << recent.out;

  CliResult none = Choreo({"events", "find", "--saga", "no-such-saga"});
  EXPECT_SUCCEEDS(none);
  EXPECT_EQ(Lines(none.out).size(), 1u) << none.out;

  CliResult json = Choreo({"events", "find", "--event-id", first.envelope.id, "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_EQ(json.out, "{\"events\":[{\"time\":\"" + saga::FormatRfc3339(first.envelope.time_ms) +
                          "\",\"time_ms\":" + std::to_string(first.envelope.time_ms) +
                          ",\"topic\":\"" + kPlaced +
                          "\",\"partition\":" + std::to_string(first.partition) +
                          ",\"offset\":" + std::to_string(first.offset) + ",\"type\":\"" + kPlaced +
                          "\",\"source\":\"test-publisher\",\"event_id\":\"" + first.envelope.id +
                          "\",\"saga_id\":\"order-1\",\"causation_id\":null,\"key\":\"order-1\","
                          "\"dlq_kind\":null}],\"truncated\":false}\n");
}

TEST_F(SagaCliTest, EventsFindPagesThroughTheIndex) {
  // More events of one type than one request returns (1000 per page).
  constexpr int kEvents = 2500;
  for (int i = 0; i < kEvents; ++i) {
    Step step;
    step.set_saga("s-" + std::to_string(i));
    step.set_n(i);
    publisher_->PublishAsync(step.saga(), step, [](Result<PublishedEvent> r) {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    });
  }
  ASSERT_TRUE(publisher_->Flush(std::chrono::seconds(30)).ok());

  CliResult all = Choreo({"events", "find", "--type", kStep, "--limit", "100000"});
  EXPECT_SUCCEEDS(all);
  EXPECT_EQ(all.err, "");
  std::vector<std::string> lines = Lines(all.out);
  ASSERT_EQ(lines.size(), size_t{kEvents} + 1);
  std::set<std::string> ids;
  for (size_t i = 1; i < lines.size(); ++i) {
    ids.insert(Fields(lines[i])[4]);
    if (i > 1) {
      EXPECT_LE(Fields(lines[i - 1])[0], Fields(lines[i])[0]);  // RFC 3339 sorts as text
    }
  }
  EXPECT_EQ(ids.size(), size_t{kEvents});

  // Through Admin: a page of 1500 with a token, and the token resumes exactly after it.
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(broker_->client_options());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Result<EventPage> first =
      (*admin)->FindEventsUpTo(EventQuery{.by = EventLookup::kType, .value = kStep}, 1500);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->events.size(), 1500u);
  ASSERT_FALSE(first->next_page_token.empty());
  Result<EventPage> rest = (*admin)->FindEventsUpTo(
      EventQuery{.by = EventLookup::kType, .value = kStep, .page_token = first->next_page_token},
      100000);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->events.size(), size_t{kEvents} - 1500);
  EXPECT_TRUE(rest->next_page_token.empty());
  std::set<std::string> paged;
  for (const EventPage* page : {&*first, &*rest}) {
    for (const IndexedEvent& e : page->events)
      paged.insert(e.event_id);
  }
  EXPECT_EQ(paged, ids);
}

TEST_F(SagaCliTest, SagaShowDrawsTheCausationTreeAndWhoHandledWhat) {
  StartServices();
  const PublishedEvent placed = Publish("order-1", Order("order-1"));
  // Wait until both services have committed past the saga's events they consume.
  CliResult show;
  ASSERT_TRUE(WaitFor([&] {
    show = Choreo({"saga", "show", "order-1"});
    return show.exit_code == 0 && Contains(LineWith(show.out, kPlaced), "payments=handled") &&
           Contains(LineWith(show.out, kPaid), "shipping=handled") &&
           !LineWith(show.out, kSeen).empty();
  })) << show.out
      << show.err;
  const std::vector<std::string> lines = Lines(show.out);
  EXPECT_EQ(lines[0], "saga: order-1");
  EXPECT_TRUE(lines[1].starts_with("events: 4 in 4 topics, ")) << lines[1];
  EXPECT_EQ(lines[2], "dead letters: 0 dead, 0 parked");

  // The timeline: the first event, then the others; groups only where a group consumes.
  const std::vector<std::string> first = Fields(lines[5]);
  ASSERT_EQ(first.size(), 6u) << lines[5];
  EXPECT_EQ(first[2], kPlaced);
  EXPECT_EQ(first[3], "test-publisher");
  EXPECT_EQ(first[4], placed.envelope.id);
  EXPECT_EQ(first[5], "payments=handled");
  EXPECT_EQ(Fields(LineWith(show.out, std::string("\t") + kStep + "\t"))[5], "-");

  // The tree: OrderPlaced at the root, PaymentTaken and Step under it, StepSeen under PaymentTaken.
  const auto causation = std::find(lines.begin(), lines.end(), "causation:");
  ASSERT_NE(causation, lines.end()) << show.out;
  const std::vector<std::string> tree(causation + 1, causation + 5);
  EXPECT_EQ(tree[0], std::string(kPlaced) + " from test-publisher (" + placed.envelope.id + ")");
  const auto paid = std::find_if(tree.begin(), tree.end(), [](const std::string& line) {
    return line.starts_with(std::string("  ") + kPaid + " from payments (");
  });
  ASSERT_NE(paid, tree.end()) << show.out;
  ASSERT_NE(paid + 1, tree.end()) << show.out;
  EXPECT_TRUE(paid[1].starts_with(std::string("    ") + kSeen + " from shipping (")) << show.out;
  EXPECT_EQ(std::count_if(tree.begin(), tree.end(),
                          [](const std::string& line) {
                            return line.starts_with(std::string("  ") + kStep + " from payments (");
                          }),
            1)
      << show.out;

  CliResult json = Choreo({"saga", "show", "order-1", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_TRUE(json.out.starts_with("{\"saga_id\":\"order-1\",\"events\":[{\"time\":")) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"groups\":[{\"group\":\"payments\",\"state\":\"handled\"}]"))
      << json.out;
  EXPECT_TRUE(Contains(json.out, "\"causation\":[{\"event_id\":\"" + placed.envelope.id +
                                     "\",\"children\":[{\"event_id\":"))
      << json.out;
  EXPECT_TRUE(Contains(json.out, "\"caused_by\":\"" + placed.envelope.id + "\"")) << json.out;
  EXPECT_TRUE(json.out.ends_with("\"dead_letters\":[],\"truncated\":false}\n")) << json.out;

  CliResult unknown = Choreo({"saga", "show", "no-such-saga"});
  EXPECT_EQ(unknown.exit_code, kExitError);
  EXPECT_TRUE(unknown.err.starts_with("error: no indexed events of saga 'no-such-saga'"))
      << unknown.err;
}

TEST_F(SagaCliTest, SagaShowListsDeadLetters) {
  StartServices();
  const PublishedEvent placed = Publish("bad-1", Order("bad-1"));
  CliResult show;
  ASSERT_TRUE(WaitFor([&] {
    show = Choreo({"saga", "show", "bad-1"});
    return show.exit_code == 0 && Contains(show.out, "dead letters: 1 dead, 0 parked");
  })) << show.out
      << show.err;
  EXPECT_EQ(Fields(LineWith(show.out, placed.envelope.id))[5], "payments=dead") << show.out;
  EXPECT_TRUE(Contains(show.out, std::string(kPlaced) + " from test-publisher (" +
                                     placed.envelope.id + ") [dead-lettered in payments.dlq]"))
      << show.out;
  const std::vector<std::string> lines = Lines(show.out);
  const auto section = std::find(lines.begin(), lines.end(), "dead letters:");
  ASSERT_NE(section, lines.end()) << show.out;
  ASSERT_GE(lines.end() - section, 3) << show.out;
  EXPECT_EQ(section[1], "TIME\tEVENT\tKIND\tTYPE\tSOURCE\tEVENT_ID");
  const std::vector<std::string> dead = Fields(section[2]);
  ASSERT_EQ(dead.size(), 6u) << section[2];
  EXPECT_TRUE(dead[1].starts_with("payments.dlq/")) << dead[1];
  EXPECT_EQ(dead[2], "dead");
  EXPECT_EQ(dead[3], kPlaced);
  EXPECT_EQ(dead[5], placed.envelope.id);

  // The copy is found by its event id too, marked as a dead letter.
  CliResult by_id = Choreo({"events", "find", "--event-id", placed.envelope.id});
  EXPECT_SUCCEEDS(by_id);
  EXPECT_TRUE(Contains(by_id.out, "\tdead\n")) << by_id.out;

  CliResult json = Choreo({"saga", "show", "bad-1", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_TRUE(Contains(json.out, "\"groups\":[{\"group\":\"payments\",\"state\":\"dead\"}]"))
      << json.out;
  EXPECT_TRUE(Contains(json.out, "\"dlq_kind\":\"dead\"")) << json.out;
}

TEST_F(SagaCliTest, DefineListAndUndefine) {
  CliResult define =
      Choreo({"saga", "define", "order", "--terminal", std::string(kSeen) + ",x.Cancelled",
              "--deadline", "10m", "--start", kPlaced});
  EXPECT_SUCCEEDS(define);
  EXPECT_TRUE(
      define.out.starts_with("defined saga order: opened by sagatest.v1.OrderPlaced, ended "
                             "by sagatest.v1.StepSeen,x.Cancelled, stuck after 10m\n"))
      << define.out;
  EXPECT_SUCCEEDS(Choreo({"saga", "define", "any", "--terminal", kPaid, "--deadline", "1h30m"}));

  CliResult list = Choreo({"saga", "definitions"});
  EXPECT_SUCCEEDS(list);
  EXPECT_EQ(list.out,
            "NAME\tDEADLINE\tSTART\tTERMINAL\n"
            "any\t1h30m\t-\tsagatest.v1.PaymentTaken\n"
            "order\t10m\tsagatest.v1.OrderPlaced\tsagatest.v1.StepSeen,x.Cancelled\n");
  CliResult json = Choreo({"saga", "definitions", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_EQ(json.out,
            "{\"definitions\":[{\"name\":\"any\",\"start_types\":[],\"terminal_types\":[\"sagatest."
            "v1.PaymentTaken\"],\"deadline_ms\":5400000},{\"name\":\"order\",\"start_types\":["
            "\"sagatest.v1.OrderPlaced\"],\"terminal_types\":[\"sagatest.v1.StepSeen\",\"x."
            "Cancelled\"],\"deadline_ms\":600000}]}\n");

  // Replacing keeps one definition of the name.
  EXPECT_SUCCEEDS(Choreo({"saga", "define", "order", "--terminal", kSeen, "--deadline", "5m"}));
  EXPECT_TRUE(
      Contains(Choreo({"saga", "definitions"}).out, "order\t5m\t-\tsagatest.v1.StepSeen\n"));

  CliResult undefine = Choreo({"saga", "undefine", "order"});
  EXPECT_SUCCEEDS(undefine);
  EXPECT_EQ(undefine.out, "removed saga definition order\n");
  EXPECT_EQ(Choreo({"saga", "definitions"}).out,
            "NAME\tDEADLINE\tSTART\tTERMINAL\nany\t1h30m\t-\tsagatest.v1.PaymentTaken\n");
  CliResult again = Choreo({"saga", "undefine", "order"});
  EXPECT_EQ(again.exit_code, kExitError) << again.out;
  EXPECT_TRUE(again.err.starts_with("error: ")) << again.err;

  CliResult bad_name =
      Choreo({"saga", "define", "no spaces", "--terminal", kSeen, "--deadline", "1m"});
  EXPECT_NE(bad_name.exit_code, kExitOk);
  EXPECT_TRUE(bad_name.err.starts_with("error: ")) << bad_name.err;
}

TEST_F(SagaCliTest, StuckSagasAppearAfterTheDeadlineAndClearWithTheirTerminalEvent) {
  // A saga opens with OrderPlaced and ends with PaymentTaken; nothing takes payments here.
  ASSERT_EQ(Choreo({"saga", "define", "order", "--start", kPlaced, "--terminal", kPaid,
                    "--deadline", "300ms"})
                .exit_code,
            0);
  Publish("order-stuck", Order("order-stuck"));
  Publish("order-done", Order("order-done"));
  PaymentTaken paid;
  paid.set_order_id("order-done");
  Publish("order-done", paid);

  CliResult stuck;
  ASSERT_TRUE(WaitFor([&] {
    stuck = Choreo({"saga", "stuck"});
    return stuck.exit_code == 0 && Contains(stuck.out, "\norder\t1\t1\n");
  })) << stuck.out
      << stuck.err;
  std::vector<std::string> lines = Lines(stuck.out);
  ASSERT_EQ(lines.size(), 5u) << stuck.out;
  EXPECT_EQ(lines[0], "DEFINITION\tSAGA\tSTARTED\tLAST_EVENT\tLAST_TIME\tLAST_SOURCE\tWAITING");
  const std::vector<std::string> fields = Fields(lines[1]);
  ASSERT_EQ(fields.size(), 7u) << lines[1];
  EXPECT_EQ(fields[0], "order");
  EXPECT_EQ(fields[1], "order-stuck");
  EXPECT_TRUE(saga::ParseRfc3339(fields[2]).ok()) << fields[2];
  EXPECT_EQ(fields[3], kPlaced);
  EXPECT_EQ(fields[4], fields[2]);  // its only event opened it
  EXPECT_EQ(fields[5], "test-publisher");
  EXPECT_TRUE(fields[6].ends_with("s") || fields[6].ends_with("m")) << fields[6];
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "DEFINITION\tOPEN\tSTUCK");
  EXPECT_EQ(lines[4], "order\t1\t1");

  CliResult json = Choreo({"saga", "stuck", "--definition", "order", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_TRUE(
      json.out.starts_with("{\"sagas\":[{\"definition\":\"order\",\"saga_id\":\"order-"
                           "stuck\",\"started\":"))
      << json.out;
  EXPECT_TRUE(Contains(json.out, "\"counts\":[{\"definition\":\"order\",\"open\":1,\"stuck\":1}]"))
      << json.out;

  // Its terminal event closes it.
  paid.set_order_id("order-stuck");
  Publish("order-stuck", paid);
  ASSERT_TRUE(WaitFor([&] {
    stuck = Choreo({"saga", "stuck"});
    return stuck.exit_code == 0 && Contains(stuck.out, "\norder\t0\t0\n");
  })) << stuck.out
      << stuck.err;
  EXPECT_FALSE(Contains(stuck.out, "order-stuck")) << stuck.out;

  CliResult unknown = Choreo({"saga", "stuck", "--definition", "nope"});
  EXPECT_EQ(unknown.exit_code, kExitError) << unknown.out;
  EXPECT_TRUE(unknown.err.starts_with("error: ")) << unknown.err;
}

TEST_F(SagaCliTest, TopicEventIndexSetting) {
  CliResult create = Choreo({"topic", "create", "quiet", "--partitions", "1", "--event-index=off"});
  EXPECT_SUCCEEDS(create);
  CliResult describe = Choreo({"topic", "describe", "quiet"});
  EXPECT_SUCCEEDS(describe);
  EXPECT_TRUE(Contains(describe.out, "\nevent.index: off\n")) << describe.out;
  ASSERT_TRUE(publisher_->Publish("order-q", Order("order-q"), {.topic = "quiet"}).ok());
  EXPECT_EQ(Lines(Choreo({"events", "find", "--saga", "order-q"}).out).size(), 1u);

  CliResult alter = Choreo({"topic", "alter", "quiet", "--event-index", "on"});
  EXPECT_SUCCEEDS(alter);
  EXPECT_TRUE(Contains(alter.out, "\nevent.index: on\n")) << alter.out;
  ASSERT_TRUE(publisher_->Publish("order-q", Order("order-q"), {.topic = "quiet"}).ok());
  CliResult found = Choreo({"events", "find", "--saga", "order-q"});
  EXPECT_SUCCEEDS(found);
  ASSERT_EQ(Lines(found.out).size(), 2u) << found.out;  // only the one appended while on
  EXPECT_TRUE(Fields(Lines(found.out)[1])[1].starts_with("quiet/0@1")) << found.out;

  EXPECT_SUCCEEDS(Choreo({"topic", "create", "loud"}));
  EXPECT_TRUE(Contains(Choreo({"topic", "describe", "loud"}).out, "\nevent.index: on\n"));
}

}  // namespace
}  // namespace choreo::cli
