// SagaService against an in-process broker: what a handler publishes, per-saga order, skipping,
// retries with the inbox, upcasting, JSON payloads, and steps across a restart of the service.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "choreo/client/producer.h"
#include "test_events.pb.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::saga {
namespace {

using sagatest::v1::OrderPlaced;
using sagatest::v1::PaymentTaken;
using sagatest::v1::Step;
using sagatest::v1::StepSeen;
using testing::ReadEvents;
using testing::WaitFor;

OrderPlaced Order(const std::string& id, int64_t cents = 100) {
  OrderPlaced o;
  o.set_order_id(id);
  o.set_amount_cents(cents);
  return o;
}

// Registers OrderPlaced -> PaymentTaken.
void TakePayments(SagaService& service) {
  service.On<OrderPlaced>([](HandlerContext& ctx, const OrderPlaced& order) {
    PaymentTaken paid;
    paid.set_order_id(order.order_id());
    paid.set_amount_cents(order.amount_cents());
    return ctx.Publish(paid);
  });
}

TEST(SagaServiceTest, HandlerOutputCarriesTheSagaCausationAndTrace) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  Result<PublishedEvent> placed = publisher->Publish("order-1", Order("order-1"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_TRUE(placed->envelope.causation_id.empty());

  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
  TakePayments(*service);
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return service->Stats().steps_committed >= 1; }));

  const auto events = ReadEvents(*broker, "sagatest.v1.PaymentTaken");
  const Envelope& out = events[0].envelope;
  EXPECT_EQ(events[0].record.record.key, "order-1");
  EXPECT_EQ(out.saga_id, "order-1");
  EXPECT_EQ(out.source, "payments");
  EXPECT_EQ(out.type, "sagatest.v1.PaymentTaken");
  EXPECT_EQ(out.causation_id, placed->envelope.id);
  EXPECT_EQ(out.trace.trace_id, placed->envelope.trace.trace_id);
  EXPECT_NE(out.trace.span_id, placed->envelope.trace.span_id);
  EXPECT_NE(out.id, placed->envelope.id);
  PaymentTaken paid;
  ASSERT_TRUE(paid.ParseFromString(events[0].record.record.value));
  EXPECT_EQ(paid.order_id(), "order-1");
  EXPECT_EQ(service->Stats().by_type["sagatest.v1.OrderPlaced"].handled, 1u);
  EXPECT_NE(service->PrometheusText().find(
                "choreo_saga_events_total{service=\"payments\",type=\"sagatest.v1.OrderPlaced\","
                "outcome=\"handled\"} 1"),
            std::string::npos)
      << service->PrometheusText();
  service->Stop();
}

TEST(SagaServiceTest, EventsOfOneSagaAreHandledInOrderWhileSagasRunInParallel) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  constexpr int kSagas = 40, kSteps = 25;
  for (int n = 0; n < kSteps; ++n) {
    for (int s = 0; s < kSagas; ++s) {
      Step step;
      step.set_saga("saga-" + std::to_string(s));
      step.set_n(n);
      publisher->PublishAsync(step.saga(), step, [](Result<PublishedEvent> r) {
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      });
    }
  }
  ASSERT_TRUE(publisher->Flush(std::chrono::seconds(30)).ok());

  ServiceOptions options = testing::TestServiceOptions(*broker, "steps");
  options.workers = 8;
  auto service = SagaService::Create(options).value();
  std::mutex mu;
  std::map<std::string, std::vector<int>> seen;
  service->On<Step>([&](HandlerContext& ctx, const Step& step) {
    {
      std::lock_guard lock(mu);
      seen[ctx.saga_id()].push_back(step.n());
    }
    StepSeen out;
    out.set_saga(step.saga());
    out.set_n(step.n());
    return ctx.Publish(out);
  });
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    return service->Stats().by_type["sagatest.v1.Step"].handled == uint64_t{kSagas * kSteps};
  }));
  service->Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), size_t{kSagas});
  for (const auto& [saga, ns] : seen) {
    std::vector<int> expected(kSteps);
    for (int i = 0; i < kSteps; ++i)
      expected[i] = i;
    EXPECT_EQ(ns, expected) << saga;
  }
  // The outputs of one saga are in the same order in the log.
  std::map<std::string, std::vector<int>> published;
  for (const auto& e : ReadEvents(*broker, "sagatest.v1.StepSeen")) {
    StepSeen s;
    ASSERT_TRUE(s.ParseFromString(e.record.record.value));
    published[s.saga()].push_back(s.n());
  }
  for (const auto& [saga, ns] : published)
    EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end())) << saga;
}

TEST(SagaServiceTest, UnknownTypesAndRecordsWithoutEnvelopeAreSkipped) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  sagatest::v1::Unhandled unknown;
  ASSERT_TRUE(publisher->Publish("o-1", unknown, {.topic = "sagatest.v1.OrderPlaced"}).ok());
  auto producer = Producer::Create(ProducerOptions{.client = broker->client_options()}).value();
  ASSERT_TRUE(
      producer->Send("sagatest.v1.OrderPlaced", Record{.key = "o-1", .value = "raw", .headers = {}})
          .get()
          .ok());
  // A handled type whose envelope is malformed (ce_time) is skipped too, and committed.
  Record bad_time{.key = "o-1", .value = "", .headers = {}, .timestamp_ms = 0};
  bad_time.headers = {{"ce_specversion", "1.0"},
                      {"ce_id", "bad-1"},
                      {"ce_type", "sagatest.v1.OrderPlaced"},
                      {"ce_time", "yesterday"},
                      {"ce_correlationid", "o-1"}};
  ASSERT_TRUE(producer->Send("sagatest.v1.OrderPlaced", bad_time).get().ok());
  ASSERT_TRUE(publisher->Publish("o-1", Order("o-1")).ok());

  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
  TakePayments(*service);
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() == 1; }));
  ASSERT_TRUE(WaitFor([&] {
    ServiceStats stats = service->Stats();
    return stats.by_type["sagatest.v1.Unhandled"].skipped == 1 && stats.by_type[""].skipped == 2 &&
           stats.steps_committed == 4 && stats.pending_events == 0;
  }));
  service->Stop();
}

TEST(SagaServiceTest, RetriedHandlerRunsItsEffectOnceThroughTheInbox) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  ASSERT_TRUE(publisher->Publish("o-7", Order("o-7", 700)).ok());

  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
  std::atomic<int> charges{0};
  std::set<std::string> keys;
  std::mutex mu;
  service->On<OrderPlaced>([&](HandlerContext& ctx, const OrderPlaced& order) {
    {
      std::lock_guard lock(mu);
      keys.insert(ctx.IdempotencyKey());
    }
    Result<std::string> charge = ctx.Once("charge", [&]() -> Result<std::string> {
      ++charges;
      return std::string("ch_1");
    });
    if (!charge.ok()) return charge.status();
    if (ctx.attempt() < 3) return Status(ErrorCode::kUnknown, "gateway timeout");
    PaymentTaken paid;
    paid.set_order_id(order.order_id());
    return ctx.Publish(paid);
  });
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return service->Stats().steps_committed >= 1; }));
  service->Stop();
  EXPECT_EQ(charges.load(), 1);
  EXPECT_EQ(keys.size(), 1u);  // the same key on every attempt
  const EventTypeStats stats = service->Stats().by_type["sagatest.v1.OrderPlaced"];
  EXPECT_EQ(stats.failed, 2u);
  EXPECT_EQ(stats.retried, 2u);
  EXPECT_EQ(stats.handled, 1u);
  EXPECT_EQ(stats.dead_lettered, 0u);
}

TEST(SagaServiceTest, UpcasterBringsOlderSchemaVersionsUpToDate) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);  // publishes OrderPlaced as version 1
  ASSERT_TRUE(publisher->Publish("o-1", Order("o-1")).ok());

  ServiceOptions options = testing::TestServiceOptions(*broker, "payments");
  options.events.schema_versions["sagatest.v1.OrderPlaced"] = 2;
  auto service = SagaService::Create(options).value();
  std::mutex mu;
  std::vector<std::string> currencies;
  service->Upcast<OrderPlaced>([](int from_version, OrderPlaced& order) {
    if (from_version < 2) order.set_currency("EUR");
    return OkStatus();
  });
  service->On<OrderPlaced>([&](HandlerContext& ctx, const OrderPlaced& order) {
    std::lock_guard lock(mu);
    currencies.push_back(order.currency());
    return OkStatus();
  });
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(
      WaitFor([&] { return service->Stats().by_type["sagatest.v1.OrderPlaced"].handled == 1; }));
  service->Stop();
  EXPECT_EQ(currencies, std::vector<std::string>{"EUR"});
}

TEST(SagaServiceTest, JsonPayloadsAreDecodedByContentType) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  ASSERT_TRUE(publisher->Publish("o-j", Order("o-j", 4200), {.encoding = Encoding::kJson}).ok());
  const auto placed = ReadEvents(*broker, "sagatest.v1.OrderPlaced");
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].envelope.content_type, "application/json");
  EXPECT_NE(placed[0].record.record.value.find("\"order_id\":\"o-j\""), std::string::npos);

  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
  TakePayments(*service);
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() == 1; }));
  service->Stop();
  PaymentTaken paid;
  ASSERT_TRUE(
      paid.ParseFromString(ReadEvents(*broker, "sagatest.v1.PaymentTaken")[0].record.record.value));
  EXPECT_EQ(paid.amount_cents(), 4200);
}

TEST(SagaServiceTest, RawPayloadsTravelWithTheirOwnContentType) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  ASSERT_TRUE(publisher
                  ->PublishRaw("o-csv", RawEvent{.type = "legacy.OrderRow",
                                                 .content_type = "text/csv",
                                                 .payload = "o-csv,1250",
                                                 .schema_version = 1})
                  .ok());
  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "legacy")).value();
  std::mutex mu;
  std::vector<std::string> payloads;
  service->OnRaw("legacy.OrderRow", [&](HandlerContext& ctx, std::string_view payload) {
    {
      std::lock_guard lock(mu);
      payloads.emplace_back(payload);
    }
    EXPECT_EQ(ctx.event().content_type, "text/csv");
    return ctx.PublishRaw(RawEvent{.type = "legacy.OrderRowSeen",
                                   .content_type = "text/plain",
                                   .payload = "seen " + std::string(payload),
                                   .schema_version = 1});
  });
  ASSERT_TRUE(service->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "legacy.OrderRowSeen").size() == 1; }));
  service->Stop();
  EXPECT_EQ(payloads, std::vector<std::string>{"o-csv,1250"});
  const auto seen = ReadEvents(*broker, "legacy.OrderRowSeen");
  EXPECT_EQ(seen[0].record.record.value, "seen o-csv,1250");
  EXPECT_EQ(seen[0].envelope.content_type, "text/plain");
  EXPECT_EQ(seen[0].envelope.saga_id, "o-csv");
}

TEST(SagaServiceTest, AServiceStoppedMidRunAndReplacedPublishesEveryStepExactlyOnce) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  constexpr int kOrders = 300;
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "order-" + std::to_string(i);
    publisher->PublishAsync(id, Order(id), [](Result<PublishedEvent> r) { ASSERT_TRUE(r.ok()); });
  }
  ASSERT_TRUE(publisher->Flush(std::chrono::seconds(30)).ok());

  std::atomic<int> handled{0};
  auto make = [&] {
    auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
    service->On<OrderPlaced>([&](HandlerContext& ctx, const OrderPlaced& order) {
      ++handled;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      PaymentTaken paid;
      paid.set_order_id(order.order_id());
      return ctx.Publish(paid);
    });
    return service;
  };
  auto first = make();
  ASSERT_TRUE(first->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return handled.load() >= kOrders / 4; }));
  first->Stop();  // mid-run: queued events are left for the next owner
  auto second = make();
  ASSERT_TRUE(second->Start().ok());
  ASSERT_TRUE(WaitFor(
      [&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() >= size_t{kOrders}; }));
  ASSERT_TRUE(WaitFor([&] { return second->Stats().pending_events == 0; }));
  second->Stop();

  std::map<std::string, int> per_order;
  std::set<std::string> ids;
  for (const auto& e : ReadEvents(*broker, "sagatest.v1.PaymentTaken")) {
    ++per_order[e.envelope.saga_id];
    EXPECT_TRUE(ids.insert(e.envelope.id).second) << "event " << e.envelope.id << " twice";
  }
  EXPECT_EQ(per_order.size(), size_t{kOrders});
  for (const auto& [order, count] : per_order)
    EXPECT_EQ(count, 1) << order << " was paid " << count << " times";
}

TEST(SagaServiceTest, TwoInstancesSharingTheWorkPublishEveryStepOnceAcrossARebalance) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  constexpr int kOrders = 600;
  std::atomic<int> handled{0};
  auto make = [&] {
    auto service = SagaService::Create(testing::TestServiceOptions(*broker, "payments")).value();
    service->On<OrderPlaced>([&](HandlerContext& ctx, const OrderPlaced& order) {
      ++handled;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      PaymentTaken paid;
      paid.set_order_id(order.order_id());
      return ctx.Publish(paid);
    });
    return service;
  };
  auto first = make();
  auto second = make();
  ASSERT_TRUE(first->Start().ok());
  ASSERT_TRUE(second->Start().ok());
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "order-" + std::to_string(i);
    publisher->PublishAsync(id, Order(id), [](Result<PublishedEvent> r) { ASSERT_TRUE(r.ok()); });
  }
  ASSERT_TRUE(publisher->Flush(std::chrono::seconds(30)).ok());
  ASSERT_TRUE(WaitFor([&] { return handled.load() >= kOrders / 3; }));
  first->Stop();  // its partitions move to the second instance, which is running
  ASSERT_TRUE(WaitFor(
      [&] { return ReadEvents(*broker, "sagatest.v1.PaymentTaken").size() >= size_t{kOrders}; }));
  ASSERT_TRUE(WaitFor([&] { return second->Stats().pending_events == 0; }));
  second->Stop();
  // Both did part of the work (the group spreads the partitions over both members).
  std::cout << "[steps] first " << first->Stats().steps_committed << ", second "
            << second->Stats().steps_committed << "\n";

  std::map<std::string, int> per_order;
  for (const auto& e : ReadEvents(*broker, "sagatest.v1.PaymentTaken"))
    ++per_order[e.envelope.saga_id];
  EXPECT_EQ(per_order.size(), size_t{kOrders});
  for (const auto& [order, count] : per_order)
    EXPECT_EQ(count, 1) << order << " was paid " << count << " times";
}

}  // namespace
}  // namespace choreo::saga
