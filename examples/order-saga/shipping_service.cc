// shipping-service: books a shipment for every paid order.
//
//   PaymentSucceeded -> ShipmentCreated  |  ShipmentFailed (--fail-probability)
//
// Booking a carrier is an effect outside choreo, so it runs through ctx.Once with the durable
// inbox (<state-dir>/shipping-service.inbox): a redelivered PaymentSucceeded gets the booking (or
// the failure) recorded the first time, never a second shipment. A ShipmentFailed carries the
// payment to refund, so payment-service compensates without reading anyone's database.
#include <string>
#include <utility>

#include "choreo/saga/service.h"
#include "common/flags.h"
#include "common/service_main.h"
#include "proto/order_saga.pb.h"

namespace order_saga {
namespace {

constexpr char kService[] = "shipping-service";

constexpr char kUsage[] =
    "Usage: shipping-service [flags]\n"
    "Handles PaymentSucceeded (book a shipment).\n\n"
    "  --fail-probability=P       probability that no shipment can be booked (default 0.1)\n";

// A carrier that has no capacity with probability `fail_probability`. The outcome recorded in the
// inbox: "booked <shipment id> <carrier>" or "failed <reason>".
choreo::Result<std::string> Book(double fail_probability) {
  if (Chance(fail_probability)) {
    return std::string(Chance(0.5) ? "failed address not served" : "failed out of stock");
  }
  return "booked shp-" + RandomHex(12) + (Chance(0.5) ? " ParcelCo" : " FastFreight");
}

choreo::Status OnPaymentSucceeded(choreo::saga::HandlerContext& ctx,
                                  const shop::v1::PaymentSucceeded& paid, double fail_probability) {
  choreo::Result<std::string> outcome =
      ctx.Once("book-shipment", [&] { return Book(fail_probability); });
  if (!outcome.ok()) return outcome.status();
  const std::string& text = *outcome;
  const std::string handled = "PaymentSucceeded saga=" + ctx.saga_id() +
                              " event=" + std::string(ShortId(ctx.event().id)) + " -> ";
  if (text.starts_with("booked ")) {
    // "booked <shipment id> <carrier>"
    const size_t id_end = text.find(' ', 7);
    shop::v1::ShipmentCreated created;
    created.set_order_id(paid.order_id());
    created.set_shipment_id(text.substr(7, id_end - 7));
    created.set_carrier(id_end == std::string::npos ? "" : text.substr(id_end + 1));
    if (choreo::Status s = ctx.Publish(created); !s.ok()) return s;
    Log(kService,
        handled + "ShipmentCreated " + created.shipment_id() + " via " + created.carrier());
  } else {
    shop::v1::ShipmentFailed failed;
    failed.set_order_id(paid.order_id());
    failed.set_reason(text.substr(text.find(' ') + 1));
    failed.set_payment_id(paid.payment_id());
    failed.set_amount_cents(paid.amount_cents());
    if (choreo::Status s = ctx.Publish(failed); !s.ok()) return s;
    Log(kService, handled + "ShipmentFailed (" + failed.reason() + ")");
  }
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
  (*service)->On<shop::v1::PaymentSucceeded>(
      [fail_probability](choreo::saga::HandlerContext& ctx,
                         const shop::v1::PaymentSucceeded& paid) {
        return OnPaymentSucceeded(ctx, paid, fail_probability);
      });
  return RunUntilStopped(**service, kService);
}

}  // namespace
}  // namespace order_saga

int main(int argc, char** argv) {
  return order_saga::Main(argc, argv);
}
