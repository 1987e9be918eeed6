// Admin's event-index calls against a scripted FakeBroker: what goes on the wire, how answers and
// pages are read, and that a broker older than protocol 1.2 is refused before anything is sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <mutex>

#include "choreo/client/admin.h"
#include "tests/client/fake_broker.h"

namespace choreo {
namespace {

using testing::FakeBroker;
using testing::FakeSession;

// A FakeBroker announcing protocol 1.`minor` that keeps every request and answers with `answer`.
class IndexBroker {
 public:
  using Answer = std::function<void(const proto::Request&, proto::Response&)>;

  explicit IndexBroker(Answer answer, uint32_t minor = 2)
      : answer_(std::move(answer)),
        broker_([this](const proto::Request& request, FakeSession& session) {
          proto::Response response = FakeBroker::ResponseTo(request);
          answer_(request, response);
          {
            std::lock_guard lock(mu_);
            requests_.push_back(request);
          }
          session.Reply(response);
        }) {
    proto::HandshakeResponse handshake = FakeBroker::DefaultHandshake();
    handshake.set_protocol_minor(minor);
    broker_.SetHandshake(handshake);
  }

  std::unique_ptr<Admin> Connect() {
    ClientOptions options;
    options.broker = broker_.address();
    Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
    EXPECT_TRUE(admin.ok()) << admin.status().ToString();
    return admin.ok() ? std::move(admin).value() : nullptr;
  }

  std::vector<proto::Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  Answer answer_;
  std::mutex mu_;
  std::vector<proto::Request> requests_;
  FakeBroker broker_;  // last: its thread stops before the members it uses go
};

proto::IndexedEvent WireEvent(int64_t offset) {
  proto::IndexedEvent e;
  e.set_topic("orders");
  e.set_partition(2);
  e.set_offset(offset);
  e.set_time_ms(1000 + offset);
  e.set_type("order.v1.OrderCreated");
  e.set_source("order-service");
  e.set_event_id("e" + std::to_string(offset));
  e.set_saga_id("order-1");
  e.set_causation_id("c");
  e.set_key("order-1");
  e.set_dlq_kind(offset == 0 ? "dead" : "");
  return e;
}

TEST(EventIndexApiTest, FindEventsSendsTheQueryAndReadsThePage) {
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    *response.mutable_find_events()->add_events() = WireEvent(0);
    *response.mutable_find_events()->add_events() = WireEvent(7);
    response.mutable_find_events()->set_next_page_token("next");
  });
  auto admin = broker.Connect();
  Result<EventPage> page = admin->FindEvents(EventQuery{.by = EventLookup::kType,
                                                        .value = "order.v1.OrderCreated",
                                                        .since_ms = 55,
                                                        .topic = "orders",
                                                        .limit = 20,
                                                        .page_token = "tok"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->events.size(), 2u);
  const IndexedEvent& e = page->events[1];
  EXPECT_EQ(e.topic, "orders");
  EXPECT_EQ(e.partition, 2u);
  EXPECT_EQ(e.offset, 7);
  EXPECT_EQ(e.time_ms, 1007);
  EXPECT_EQ(e.type, "order.v1.OrderCreated");
  EXPECT_EQ(e.source, "order-service");
  EXPECT_EQ(e.event_id, "e7");
  EXPECT_EQ(e.saga_id, "order-1");
  EXPECT_EQ(e.causation_id, "c");
  EXPECT_EQ(e.key, "order-1");
  EXPECT_EQ(e.dlq_kind, "");
  EXPECT_EQ(page->events[0].dlq_kind, "dead");
  EXPECT_EQ(page->next_page_token, "next");

  const std::vector<proto::Request> requests = broker.requests();
  ASSERT_EQ(requests.size(), 1u);
  const proto::FindEventsRequest& find = requests[0].find_events();
  EXPECT_EQ(find.by(), proto::BY_TYPE);
  EXPECT_EQ(find.value(), "order.v1.OrderCreated");
  EXPECT_EQ(find.since_ms(), 55);
  EXPECT_EQ(find.topic(), "orders");
  EXPECT_EQ(find.limit(), 20u);
  EXPECT_EQ(find.page_token(), "tok");
}

TEST(EventIndexApiTest, FindEventsUpToFollowsPageTokensUntilTheLimit) {
  // 7 events served in pages of at most 3, whatever the limit asked; the token is the next offset.
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    const proto::FindEventsRequest& find = request.find_events();
    int64_t next = find.page_token().empty() ? 0 : std::stoll(find.page_token());
    const int64_t end = std::min<int64_t>({7, next + 3, next + find.limit()});
    for (; next < end; ++next)
      *response.mutable_find_events()->add_events() = WireEvent(next);
    if (next < 7) response.mutable_find_events()->set_next_page_token(std::to_string(next));
  });
  auto admin = broker.Connect();
  Result<EventPage> all = admin->FindEventsUpTo(EventQuery{.value = "order-1"}, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->events.size(), 7u);
  for (int64_t i = 0; i < 7; ++i)
    EXPECT_EQ(all->events[i].offset, i);
  EXPECT_EQ(all->next_page_token, "");

  Result<EventPage> first = admin->FindEventsUpTo(EventQuery{.value = "order-1"}, 5);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->events.size(), 5u);
  EXPECT_EQ(first->next_page_token, "5");
  const std::vector<proto::Request> requests = broker.requests();
  // 3 pages for the walk to the end, then 3 + 2 (asking for only the 2 still wanted).
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[3].find_events().limit(), 5u);
  EXPECT_EQ(requests[4].find_events().limit(), 2u);
  EXPECT_EQ(requests[4].find_events().page_token(), "3");
}

TEST(EventIndexApiTest, APageTokenThatDoesNotMoveIsAnError) {
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    response.mutable_find_events()->set_next_page_token("same");
  });
  auto admin = broker.Connect();
  Result<EventPage> page = admin->FindEventsUpTo(EventQuery{.value = "x"}, 10);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kProtocolError);
}

TEST(EventIndexApiTest, BadQueriesAndBrokerErrors) {
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    response.mutable_error()->set_code(proto::INVALID_REQUEST);
    response.mutable_error()->set_message("bad page token");
  });
  auto admin = broker.Connect();
  EXPECT_EQ(admin->FindEvents(EventQuery{}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(admin->FindEvents(EventQuery{.value = "x", .limit = 10001}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(admin->DefineSaga(SagaDefinition{.name = "o", .deadline_ms = 1}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(admin->DefineSaga(SagaDefinition{.name = "o", .terminal_types = {"T"}}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(broker.requests().empty());
  Result<EventPage> page = admin->FindEvents(EventQuery{.value = "x", .page_token = "junk"});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(page.status().message(), "bad page token");
}

TEST(EventIndexApiTest, SagaDefinitionsAndStuckSagas) {
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    if (request.has_define_saga()) {
      response.mutable_define_saga();
    } else if (request.has_list_saga_definitions()) {
      proto::SagaDefinition* d = response.mutable_list_saga_definitions()->add_definitions();
      d->set_name("order");
      d->add_start_types("order.OrderCreated");
      d->add_terminal_types("order.OrderCompleted");
      d->add_terminal_types("order.OrderCancelled");
      d->set_deadline_ms(600000);
    } else if (request.has_stuck_sagas()) {
      proto::StuckSagasResponse::Stuck* s = response.mutable_stuck_sagas()->add_sagas();
      s->set_definition("order");
      s->set_saga_id("order-9");
      s->set_started_ms(5);
      *s->mutable_last_event() = WireEvent(3);
      s->set_waiting_ms(700000);
      proto::StuckSagasResponse::Count* c = response.mutable_stuck_sagas()->add_counts();
      c->set_definition("order");
      c->set_open(12);
      c->set_stuck(1);
    }
  });
  auto admin = broker.Connect();
  const SagaDefinition order{.name = "order",
                             .start_types = {"order.OrderCreated"},
                             .terminal_types = {"order.OrderCompleted", "order.OrderCancelled"},
                             .deadline_ms = 600000};
  ASSERT_TRUE(admin->DefineSaga(order).ok());
  ASSERT_TRUE(admin->RemoveSagaDefinition("old").ok());
  Result<std::vector<SagaDefinition>> definitions = admin->ListSagaDefinitions();
  ASSERT_TRUE(definitions.ok()) << definitions.status().ToString();
  ASSERT_EQ(definitions->size(), 1u);
  EXPECT_EQ((*definitions)[0].name, "order");
  EXPECT_EQ((*definitions)[0].start_types, order.start_types);
  EXPECT_EQ((*definitions)[0].terminal_types, order.terminal_types);
  EXPECT_EQ((*definitions)[0].deadline_ms, 600000);
  Result<StuckSagas> stuck = admin->FindStuckSagas("order", 5);
  ASSERT_TRUE(stuck.ok()) << stuck.status().ToString();
  ASSERT_EQ(stuck->sagas.size(), 1u);
  EXPECT_EQ(stuck->sagas[0].definition, "order");
  EXPECT_EQ(stuck->sagas[0].saga_id, "order-9");
  EXPECT_EQ(stuck->sagas[0].started_ms, 5);
  EXPECT_EQ(stuck->sagas[0].last_event.event_id, "e3");
  EXPECT_EQ(stuck->sagas[0].waiting_ms, 700000);
  ASSERT_EQ(stuck->counts.size(), 1u);
  EXPECT_EQ(stuck->counts[0].open, 12u);
  EXPECT_EQ(stuck->counts[0].stuck, 1u);

  const std::vector<proto::Request> requests = broker.requests();
  ASSERT_EQ(requests.size(), 4u);
  const proto::DefineSagaRequest& define = requests[0].define_saga();
  EXPECT_FALSE(define.remove());
  EXPECT_EQ(define.definition().name(), "order");
  EXPECT_EQ(define.definition().start_types_size(), 1);
  EXPECT_EQ(define.definition().terminal_types(1), "order.OrderCancelled");
  EXPECT_EQ(define.definition().deadline_ms(), 600000);
  EXPECT_TRUE(requests[1].define_saga().remove());
  EXPECT_EQ(requests[1].define_saga().definition().name(), "old");
  EXPECT_TRUE(requests[2].has_list_saga_definitions());
  EXPECT_EQ(requests[3].stuck_sagas().definition(), "order");
  EXPECT_EQ(requests[3].stuck_sagas().limit(), 5u);
}

TEST(EventIndexApiTest, TopicEventIndexSetting) {
  IndexBroker broker([](const proto::Request& request, proto::Response& response) {
    if (request.has_create_topics()) {
      response.mutable_create_topics()->add_results()->set_name(
          request.create_topics().topics(0).name());
    } else if (request.has_alter_topic()) {
      proto::TopicMetadata* topic = response.mutable_alter_topic()->mutable_topic();
      topic->set_name(request.alter_topic().name());
      topic->mutable_config()->set_partitions(1);
      topic->mutable_config()->set_event_index(proto::EVENT_INDEX_OFF);
    }
  });
  auto admin = broker.Connect();
  ASSERT_TRUE(admin->CreateTopic("a", TopicSettings{}).ok());
  ASSERT_TRUE(admin->CreateTopic("b", TopicSettings{.event_index = EventIndexMode::kOff}).ok());
  TopicChanges stop_indexing;
  stop_indexing.event_index = false;
  Result<TopicDescription> altered = admin->AlterTopic("b", stop_indexing);
  ASSERT_TRUE(altered.ok()) << altered.status().ToString();
  EXPECT_EQ(altered->settings.event_index, EventIndexMode::kOff);
  const std::vector<proto::Request> requests = broker.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].create_topics().topics(0).config().event_index(),
            proto::EVENT_INDEX_DEFAULT);
  EXPECT_EQ(requests[1].create_topics().topics(0).config().event_index(), proto::EVENT_INDEX_OFF);
  EXPECT_EQ(requests[2].alter_topic().config().event_index(), proto::EVENT_INDEX_OFF);
  // Nothing else changes: 0 is "unchanged" on the wire.
  EXPECT_EQ(requests[2].alter_topic().config().partitions(), 0u);
}

TEST(EventIndexApiTest, ABrokerBeforeProtocol12IsRefusedWithoutSending) {
  IndexBroker broker(
      [](const proto::Request& request, proto::Response& response) {
        if (request.has_create_topics()) {
          response.mutable_create_topics()->add_results()->set_name(
              request.create_topics().topics(0).name());
        }
      },
      /*minor=*/1);
  auto admin = broker.Connect();
  const Status find = admin->FindEvents(EventQuery{.value = "x"}).status();
  EXPECT_EQ(find.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_NE(find.message().find("needs protocol 1.2; the broker speaks 1.1"), std::string::npos)
      << find.message();
  EXPECT_EQ(admin->ListSagaDefinitions().status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(admin->FindStuckSagas().status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(admin->RemoveSagaDefinition("x").code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(admin->CreateTopic("t", TopicSettings{.event_index = EventIndexMode::kOff}).code(),
            ErrorCode::kUnsupportedVersion);
  TopicChanges start_indexing;
  start_indexing.event_index = true;
  EXPECT_EQ(admin->AlterTopic("t", start_indexing).status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_TRUE(broker.requests().empty());
  // Everything else still works with it.
  EXPECT_TRUE(admin->CreateTopic("t", TopicSettings{}).ok());
}

}  // namespace
}  // namespace choreo
