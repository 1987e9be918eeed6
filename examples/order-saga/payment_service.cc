// payment-service: charges orders, and refunds them when shipping fails.
//
//   OrderCreated   -> PaymentSucceeded (captured)  |  PaymentFailed (declined, --fail-probability)
//                     or nothing, if the order's payment timed out already
//   ShipmentFailed -> PaymentRefunded (the compensation of the capture)
//
// Before charging, the handler disarms the order's "payment-timeout" timer (armed by
// order-service when it placed the order). Exactly one of the two wins: if the timer is disarmed,
// its PaymentTimedOut will never be published and the charge goes ahead; if it fired first, the
// order is being cancelled and nothing is charged. A redelivered OrderCreated finds the timer
// "already cancelled" (the broker remembers for 7 days) and charges as before.
//
// Charging and refunding are effects outside choreo (a card network), so each one runs through
// ctx.Once with the durable inbox (<state-dir>/payment-service.inbox): the decision is made once
// per order and recorded with an fsync before the handler goes on. A redelivery of the same
// OrderCreated (this service crashed before its step was committed) gets the recorded outcome back
// instead of charging again, and publishes the same answer. The inbox is the payment ledger: one
// entry per capture ("captured <payment id>"), decline and refund.
#include <cstdio>
#include <string>
#include <utility>

#include "choreo/saga/service.h"
#include "common/flags.h"
#include "common/service_main.h"
#include "proto/order_saga.pb.h"

namespace order_saga {
namespace {

constexpr char kService[] = "payment-service";

constexpr char kUsage[] =
    "Usage: payment-service [flags]\n"
    "Handles OrderCreated (charge the card) and ShipmentFailed (refund it).\n\n"
    "  --fail-probability=P       probability that a charge is declined (default 0.1)\n";

// "captured pay-1a2b" -> {"captured", "pay-1a2b"}.
std::pair<std::string, std::string> SplitOutcome(const std::string& outcome) {
  const size_t space = outcome.find(' ');
  if (space == std::string::npos) return {outcome, ""};
  return {outcome.substr(0, space), outcome.substr(space + 1)};
}

// A card network that declines with probability `fail_probability`. The outcome recorded in the
// inbox: "captured <payment id>" or "declined <reason>".
choreo::Result<std::string> Charge(double fail_probability) {
  if (Chance(fail_probability)) {
    return std::string(Chance(0.5) ? "declined card declined" : "declined insufficient funds");
  }
  return "captured pay-" + RandomHex(12);
}

choreo::Status OnOrderCreated(choreo::saga::HandlerContext& ctx,
                              const shop::v1::OrderCreated& order, double fail_probability) {
  choreo::Result<choreo::CancelOutcome> disarmed = ctx.CancelTimer("payment-timeout");
  if (!disarmed.ok()) return disarmed.status();  // retried, then dead-lettered
  if (*disarmed == choreo::CancelOutcome::kDelivered) {
    Log(kService, "OrderCreated saga=" + ctx.saga_id() +
                      " event=" + std::string(ShortId(ctx.event().id)) +
                      " -> nothing: the payment timed out before it was handled");
    return choreo::OkStatus();
  }
  choreo::Result<std::string> outcome =
      ctx.Once("charge", [&] { return Charge(fail_probability); });
  if (!outcome.ok()) return outcome.status();
  const auto [verdict, detail] = SplitOutcome(*outcome);
  const std::string handled = "OrderCreated saga=" + ctx.saga_id() +
                              " event=" + std::string(ShortId(ctx.event().id)) + " -> ";
  if (verdict == "captured") {
    shop::v1::PaymentSucceeded paid;
    paid.set_order_id(order.order_id());
    paid.set_payment_id(detail);
    paid.set_amount_cents(order.amount_cents());
    if (choreo::Status s = ctx.Publish(paid); !s.ok()) return s;
    Log(kService,
        handled + "PaymentSucceeded " + detail + " amount=" + std::to_string(order.amount_cents()));
  } else {
    shop::v1::PaymentFailed failed;
    failed.set_order_id(order.order_id());
    failed.set_reason(detail);
    if (choreo::Status s = ctx.Publish(failed); !s.ok()) return s;
    Log(kService, handled + "PaymentFailed (" + detail + ")");
  }
  return choreo::OkStatus();
}

choreo::Status OnShipmentFailed(choreo::saga::HandlerContext& ctx,
                                const shop::v1::ShipmentFailed& failed) {
  choreo::Result<std::string> refund = ctx.Once(
      "refund", []() -> choreo::Result<std::string> { return "refunded ref-" + RandomHex(12); });
  if (!refund.ok()) return refund.status();
  shop::v1::PaymentRefunded refunded;
  refunded.set_order_id(failed.order_id());
  refunded.set_payment_id(failed.payment_id());
  refunded.set_refund_id(SplitOutcome(*refund).second);
  refunded.set_amount_cents(failed.amount_cents());
  if (choreo::Status s = ctx.Publish(refunded); !s.ok()) return s;
  Log(kService, "ShipmentFailed saga=" + ctx.saga_id() +
                    " event=" + std::string(ShortId(ctx.event().id)) + " -> PaymentRefunded " +
                    failed.payment_id() + " " + refunded.refund_id());
  return choreo::OkStatus();
}

int Main(int argc, char** argv) {
  BlockStopSignals();
  Flags flags(argc, argv, {}, std::string(kUsage) + kClientFlagsUsage + kServiceFlagsUsage);
  const double fail_probability = flags.Double("fail-probability", 0.1);
  const ServiceFlags service_flags = ReadServiceFlags(flags, kService);
  flags.CheckAllUsed();
  if (!flags.positional().empty()) flags.Fail("unexpected argument " + flags.positional()[0]);

  auto service = choreo::saga::SagaService::Create(ServiceOptionsFor(kService, service_flags));
  if (!service.ok()) Die("cannot create the service", service.status());
  (*service)->On<shop::v1::OrderCreated>(
      [fail_probability](choreo::saga::HandlerContext& ctx, const shop::v1::OrderCreated& order) {
        return OnOrderCreated(ctx, order, fail_probability);
      });
  (*service)->On<shop::v1::ShipmentFailed>(OnShipmentFailed);
  return RunUntilStopped(**service, kService);
}

}  // namespace
}  // namespace order_saga

int main(int argc, char** argv) {
  return order_saga::Main(argc, argv);
}
