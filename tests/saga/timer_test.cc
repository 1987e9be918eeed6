// Saga timers (events.h, ArmedTimer) against an in-process broker: a handler arms a timer whose
// event arrives when due as a child of the handled event (same saga and trace, caused by it,
// ce_time = the due time); a second handler disarms one before it fires; arming twice is a no-op;
// a cancel says what happened; and Publisher::PublishWithTimer arms before it publishes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "choreo/saga/publisher.h"
#include "choreo/saga/service.h"
#include "test_events.pb.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::saga {
namespace {

using sagatest::v1::OrderPlaced;
using sagatest::v1::PaymentTaken;
using sagatest::v1::Step;
using sagatest::v1::StepSeen;
using std::chrono::milliseconds;
using testing::ReadEvents;
using testing::WaitFor;

OrderPlaced Order(const std::string& id) {
  OrderPlaced order;
  order.set_order_id(id);
  order.set_amount_cents(100);
  return order;
}

int64_t Ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// OrderPlaced arms "payment-timeout" (a Step event, 300 ms later); a PaymentTaken disarms it.
TEST(SagaTimerTest, AHandlerArmsATimerThatFiresAsAChildOfTheHandledEvent) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  std::mutex mu;
  std::map<std::string, ArmedTimer> armed;
  std::map<std::string, CancelOutcome> disarmed;
  auto service = SagaService::Create(testing::TestServiceOptions(*broker, "orders")).value();
  service->On<OrderPlaced>([&](HandlerContext& ctx, const OrderPlaced& order) -> Status {
    Step timeout;
    timeout.set_saga(order.order_id());
    Result<ArmedTimer> timer = ctx.PublishAfter(milliseconds(300), "payment-timeout", timeout);
    if (!timer.ok()) return timer.status();
    // Arming again (a retried handler) changes nothing.
    Result<ArmedTimer> again = ctx.PublishAfter(milliseconds(5000), "payment-timeout", timeout);
    if (!again.ok()) return again.status();
    EXPECT_TRUE(again->already_armed);
    EXPECT_EQ(again->due, timer->due);
    std::lock_guard lock(mu);
    armed[ctx.saga_id()] = *timer;
    return OkStatus();
  });
  service->On<PaymentTaken>([&](HandlerContext& ctx, const PaymentTaken&) -> Status {
    Result<CancelOutcome> outcome = ctx.CancelTimer("payment-timeout");
    if (!outcome.ok()) return outcome.status();
    std::lock_guard lock(mu);
    disarmed[ctx.saga_id()] = *outcome;
    return OkStatus();
  });
  service->On<Step>([&](HandlerContext&, const Step&) { return OkStatus(); });
  ASSERT_TRUE(service->Start().ok());

  Result<PublishedEvent> fires = publisher->Publish("order-fires", Order("order-fires"));
  ASSERT_TRUE(fires.ok()) << fires.status().ToString();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return armed.contains("order-fires");
  }));
  ASSERT_TRUE(WaitFor([&] { return ReadEvents(*broker, "sagatest.v1.Step").size() == 1; }));
  const auto steps = ReadEvents(*broker, "sagatest.v1.Step");
  const Envelope& timeout = steps[0].envelope;
  EXPECT_EQ(steps[0].record.record.key, "order-fires");
  EXPECT_EQ(timeout.saga_id, "order-fires");
  EXPECT_EQ(timeout.source, "orders");
  EXPECT_EQ(timeout.causation_id, fires->envelope.id);
  EXPECT_EQ(timeout.trace.trace_id, fires->envelope.trace.trace_id);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(armed["order-fires"].id, "order-fires/payment-timeout");
    EXPECT_EQ(timeout.time_ms, Ms(armed["order-fires"].due));
    EXPECT_EQ(steps[0].record.record.timestamp_ms, Ms(armed["order-fires"].due));
  }

  // A payment before the deadline disarms the timer; a later cancel learns it fired.
  Result<PublishedEvent> paid_in_time = publisher->Publish("order-paid", Order("order-paid"));
  ASSERT_TRUE(paid_in_time.ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return armed.contains("order-paid");
  }));
  PaymentTaken payment;
  payment.set_order_id("order-paid");
  ASSERT_TRUE(publisher->Publish("order-paid", payment).ok());
  PaymentTaken late;
  late.set_order_id("order-fires");
  ASSERT_TRUE(publisher->Publish("order-fires", late).ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return disarmed.size() == 2;
  }));
  {
    std::lock_guard lock(mu);
    // The deadline (300 ms) may pass before the payment is handled on a slow machine: then the
    // timer fired, and the cancel says so.
    const CancelOutcome paid = disarmed["order-paid"];
    EXPECT_TRUE(paid == CancelOutcome::kCancelled || paid == CancelOutcome::kDelivered);
    EXPECT_EQ(disarmed["order-fires"], CancelOutcome::kDelivered);
    if (paid == CancelOutcome::kCancelled) {
      EXPECT_EQ(publisher->CancelTimer("order-paid", "payment-timeout").value(),
                CancelOutcome::kAlreadyCancelled);
    }
  }
  service->Stop();
}

TEST(SagaTimerTest, PublishWithTimerArmsBeforeItPublishes) {
  auto broker = testing::StartBroker();
  auto publisher = testing::NewPublisher(*broker);
  Step timeout;
  timeout.set_saga("order-9");
  Result<PublishedEvent> placed = publisher->PublishWithTimer(
      "order-9", Order("order-9"), milliseconds(60000), "payment-timeout", timeout);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  // The timer is there as soon as the event is: disarming it now succeeds.
  EXPECT_EQ(publisher->CancelTimer("order-9", "payment-timeout").value(),
            CancelOutcome::kCancelled);
  EXPECT_EQ(publisher->CancelTimer("order-9", "never-armed").value(), CancelOutcome::kNotFound);
  EXPECT_EQ(publisher->CancelTimer("", "payment-timeout").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(publisher->PublishAfter(milliseconds(1), "order-9", "", timeout).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::saga
