// order-service: places orders (the first event of each saga) and closes them.
//
//   order-service place --count N --rate R    publishes OrderCreated for N new orders, R per
//                                             second; the saga id is the order id; and arms each
//                                             order's "payment-timeout" timer (--payment-timeout)
//   order-service [run]                       the saga service:
//       PaymentFailed   -> OrderCancelled     (nothing was charged)
//       PaymentTimedOut -> OrderCancelled     (no payment answer in time; nothing was charged)
//       ShipmentCreated -> OrderCompleted
//       PaymentRefunded -> OrderCancelled     (shipping failed and the payment was refunded)
//
// Each order's terminal state also goes to <state-dir>/orders.tsv ("<order
// id>\t<state>\t<detail>"), standing for the service's own database. A handler may run more than
// once for one event (after a crash before its step was committed), so the row is written through
// ctx.Once with the durable inbox: written once, except if the process dies between the write and
// the inbox's record of it, when the same row is written again on the redelivery. Readers take the
// set of rows. The topics stay the truth: an OrderCompleted or OrderCancelled event is published
// exactly once per saga.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "choreo/saga/publisher.h"
#include "choreo/saga/service.h"
#include "common/flags.h"
#include "common/service_main.h"
#include "proto/order_saga.pb.h"

namespace order_saga {
namespace {

constexpr char kService[] = "order-service";

constexpr char kUsage[] =
    "Usage: order-service [run] [flags]          run the saga service (closes orders)\n"
    "       order-service place [flags]          place new orders (start sagas)\n\n"
    "place:\n"
    "  --count=N                  orders to place (default 10)\n"
    "  --rate=R                   orders per second; 0: as fast as possible (default 10)\n"
    "  --id-prefix=P              order ids are P1, P2, ... (default ord-<6 random hex>-)\n"
    "  --payment-timeout=S        cancel an order that has no payment answer after S seconds\n"
    "                             (a saga timer; payment-service disarms it); 0: none (default "
    "30)\n"
    "  --partitions=N             partitions of the topics it creates (default 4)\n"
    "  --broker, --tls-*, --user, --password-file   as below\n\n"
    "run:\n";

// Appends whole lines to a file, each made durable (fdatasync) before Append returns.
class LineFile {
 public:
  explicit LineFile(const std::filesystem::path& path)
      : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
    if (fd_ < 0) Die("cannot open " + path.string(), Error());
  }
  ~LineFile() { ::close(fd_); }

  choreo::Status Append(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    // One write() per line: a crash leaves whole lines (O_APPEND writes to a local file are not
    // torn by a kill).
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fdatasync(fd_) != 0) {
      return Error();
    }
    return choreo::OkStatus();
  }

 private:
  choreo::Status Error() const {
    return choreo::Status(choreo::ErrorCode::kStorageError,
                          path_.string() + ": " + std::strerror(errno));
  }

  std::filesystem::path path_;
  int fd_;
  std::mutex mu_;
};

// Records the order's terminal state (once, see the top of the file) and publishes its event.
choreo::Status CloseOrder(choreo::saga::HandlerContext& ctx, LineFile& orders,
                          const google::protobuf::Message& terminal, const std::string& state,
                          const std::string& detail, const std::string& handled) {
  choreo::Result<std::string> recorded =
      ctx.Once("record-state", [&]() -> choreo::Result<std::string> {
        if (choreo::Status s = orders.Append(ctx.saga_id() + "\t" + state + "\t" + detail + "\n");
            !s.ok()) {
          return s;
        }
        return state;
      });
  if (!recorded.ok()) return recorded.status();
  if (choreo::Status s = ctx.Publish(terminal); !s.ok()) return s;
  Log(kService, handled + " saga=" + ctx.saga_id() +
                    " event=" + std::string(ShortId(ctx.event().id)) + " -> " +
                    terminal.GetDescriptor()->name() + " (" + detail + ")");
  return choreo::OkStatus();
}

int Run(Flags& flags) {
  BlockStopSignals();  // before the service starts its threads
  const ServiceFlags service_flags = ReadServiceFlags(flags, kService);
  flags.CheckAllUsed();
  auto service = choreo::saga::SagaService::Create(ServiceOptionsFor(kService, service_flags));
  if (!service.ok()) Die("cannot create the service", service.status());
  LineFile orders(service_flags.state_dir / "orders.tsv");

  (*service)->On<shop::v1::PaymentFailed>(
      [&](choreo::saga::HandlerContext& ctx, const shop::v1::PaymentFailed& failed) {
        shop::v1::OrderCancelled cancelled;
        cancelled.set_order_id(failed.order_id());
        cancelled.set_reason("payment failed: " + failed.reason());
        return CloseOrder(ctx, orders, cancelled, "CANCELLED", cancelled.reason(), "PaymentFailed");
      });
  (*service)->On<shop::v1::PaymentTimedOut>([&](choreo::saga::HandlerContext& ctx,
                                                const shop::v1::PaymentTimedOut& timed_out) {
    shop::v1::OrderCancelled cancelled;
    cancelled.set_order_id(timed_out.order_id());
    cancelled.set_reason("no payment answer within " +
                         std::to_string(timed_out.timeout_ms() / 1000) + " s");
    return CloseOrder(ctx, orders, cancelled, "CANCELLED", cancelled.reason(), "PaymentTimedOut");
  });
  (*service)->On<shop::v1::ShipmentCreated>(
      [&](choreo::saga::HandlerContext& ctx, const shop::v1::ShipmentCreated& shipped) {
        shop::v1::OrderCompleted completed;
        completed.set_order_id(shipped.order_id());
        completed.set_shipment_id(shipped.shipment_id());
        return CloseOrder(ctx, orders, completed, "COMPLETED", "shipment " + shipped.shipment_id(),
                          "ShipmentCreated");
      });
  (*service)->On<shop::v1::PaymentRefunded>([&](choreo::saga::HandlerContext& ctx,
                                                const shop::v1::PaymentRefunded& refunded) {
    shop::v1::OrderCancelled cancelled;
    cancelled.set_order_id(refunded.order_id());
    cancelled.set_reason("shipping failed, payment " + refunded.payment_id() + " refunded");
    return CloseOrder(ctx, orders, cancelled, "CANCELLED", cancelled.reason(), "PaymentRefunded");
  });
  return RunUntilStopped(**service, kService);
}

shop::v1::OrderCreated NewOrder(const std::string& order_id) {
  static constexpr const char* kSkus[] = {"tea-green-250g", "mug-stoneware", "kettle-1.7l",
                                          "teapot-cast-iron"};
  shop::v1::OrderCreated order;
  order.set_order_id(order_id);
  order.set_customer_id("cust-" + std::to_string(RandomInt(1, 500)));
  order.set_sku(kSkus[RandomInt(0, 3)]);
  order.set_quantity(static_cast<uint32_t>(RandomInt(1, 5)));
  order.set_amount_cents(RandomInt(500, 25000) * order.quantity());
  return order;
}

// Publishes OrderCreated for `count` orders, paced at `rate` per second, each with its payment
// timeout armed first, and waits for all of them.
int Place(Flags& flags) {
  const int64_t count = flags.Int("count", 10);
  const double rate = flags.Double("rate", 10);
  const std::string prefix = flags.String("id-prefix", "ord-" + RandomHex(6) + "-");
  const int64_t partitions = flags.Int("partitions", 4);
  const double timeout_s = flags.Double("payment-timeout", 30);
  choreo::saga::PublisherOptions options;
  options.client = ReadClientFlags(flags, kService);
  options.events.source = kService;
  options.create_topic_partitions = static_cast<uint32_t>(partitions);
  flags.CheckAllUsed();
  if (count < 0 || rate < 0 || partitions < 1 || timeout_s < 0)
    flags.Fail("--count, --rate, --partitions or --payment-timeout out of range");
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));

  auto publisher = choreo::saga::Publisher::Create(options);
  if (!publisher.ok()) Die("cannot connect", publisher.status());

  std::mutex mu;
  std::condition_variable all_done;
  int64_t done = 0;
  std::vector<std::string> failed;
  auto settled = [&](const std::string& order_id,
                     const choreo::Result<choreo::saga::PublishedEvent>& r) {
    if (r.ok()) {
      Log(kService, "placed saga=" + order_id + " event=" + std::string(ShortId(r->envelope.id)) +
                        " -> OrderCreated");
    } else {
      Log(kService, "FAILED to place " + order_id + ": " + r.status().ToString());
    }
    std::lock_guard<std::mutex> lock(mu);
    if (!r.ok()) failed.push_back(order_id);
    ++done;
    all_done.notify_all();
  };
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < count; ++i) {
    if (rate > 0) {  // pacing the load, not waiting for anything
      std::this_thread::sleep_until(start + std::chrono::duration<double>(i / rate));
    }
    const std::string order_id = prefix + std::to_string(i + 1);
    if (timeout.count() > 0) {
      // The timer is armed before OrderCreated is published, so payment-service always finds it
      // to disarm; that waits for the broker, so these orders are placed one at a time.
      shop::v1::PaymentTimedOut timed_out;
      timed_out.set_order_id(order_id);
      timed_out.set_timeout_ms(timeout.count());
      settled(order_id, (*publisher)
                            ->PublishWithTimer(order_id, NewOrder(order_id), timeout,
                                               "payment-timeout", timed_out));
    } else {
      (*publisher)
          ->PublishAsync(order_id, NewOrder(order_id),
                         [&, order_id](choreo::Result<choreo::saga::PublishedEvent> r) {
                           settled(order_id, r);
                         });
    }
  }
  {
    // The producer retries until its delivery timeout (120 s) and then reports every event.
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait(lock, [&] { return done == count; });
  }
  if (choreo::Status s = (*publisher)->Close(std::chrono::seconds(10)); !s.ok()) {
    Die("close", s);
  }
  Log(kService, "placed " + std::to_string(count - static_cast<int64_t>(failed.size())) + " of " +
                    std::to_string(count) + " orders (" + prefix + "1.." + prefix +
                    std::to_string(count) + ")" +
                    (timeout.count() > 0 ? ", each with a payment timeout of " +
                                               std::to_string(timeout.count()) + " ms"
                                         : ""));
  return failed.empty() ? 0 : 1;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv, {}, std::string(kUsage) + kClientFlagsUsage + kServiceFlagsUsage);
  const std::vector<std::string>& args = flags.positional();
  if (args.size() > 1) flags.Fail("unexpected argument " + args[1]);
  if (args.empty() || args[0] == "run") return Run(flags);
  if (args[0] == "place") return Place(flags);
  flags.Fail("unknown command " + args[0]);
}

}  // namespace
}  // namespace order_saga

int main(int argc, char** argv) {
  return order_saga::Main(argc, argv);
}
