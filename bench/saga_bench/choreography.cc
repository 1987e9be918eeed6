#include "choreography.h"

#include <absl/strings/str_cat.h>

#include <charconv>
#include <cstdio>
#include <utility>

#include "saga_bench/bench_events.pb.h"

namespace choreo::bench {
namespace {

namespace v1 = ::sagabench::v1;

constexpr std::string_view kSagaIdPrefix = "order-";

// "sagabench.v1.OrderCreated" -> "OrderCreated".
std::string_view ShortName(std::string_view type) {
  const size_t dot = type.rfind('.');
  return dot == std::string_view::npos ? type : type.substr(dot + 1);
}

Status OnOrderCreated(saga::HandlerContext& ctx, const v1::OrderCreated& order) {
  v1::PaymentSucceeded paid;
  paid.set_order_id(order.order_id());
  paid.set_payment_id(absl::StrCat("pay-", order.order_id()));
  paid.set_amount_cents(order.amount_cents());
  paid.set_scheduled_ns(order.scheduled_ns());
  return ctx.Publish(paid);
}

Status OnPaymentSucceeded(saga::HandlerContext& ctx, const v1::PaymentSucceeded& paid) {
  v1::ShipmentCreated shipment;
  shipment.set_order_id(paid.order_id());
  shipment.set_shipment_id(absl::StrCat("ship-", paid.order_id()));
  shipment.set_carrier("choreo-post");
  shipment.set_scheduled_ns(paid.scheduled_ns());
  return ctx.Publish(shipment);
}

}  // namespace

std::string SagaIdFor(uint64_t seq) {
  return std::string(kSagaIdPrefix) + std::to_string(seq);
}

bool SagaSeqOf(std::string_view saga_id, uint64_t* seq) {
  if (!saga_id.starts_with(kSagaIdPrefix)) return false;
  const char* first = saga_id.data() + kSagaIdPrefix.size();
  const char* last = saga_id.data() + saga_id.size();
  const auto [end, error] = std::from_chars(first, last, *seq);
  return error == std::errc() && end == last && first != last;
}

saga::TopicNaming TopicNamingFor(const std::string& run_id) {
  return [run_id](std::string_view type) { return run_id + "." + std::string(ShortName(type)); };
}

std::vector<std::string> EventTopics(const std::string& run_id) {
  const saga::TopicNaming naming = TopicNamingFor(run_id);
  return {naming(v1::OrderCreated::descriptor()->full_name()),
          naming(v1::PaymentSucceeded::descriptor()->full_name()),
          naming(v1::ShipmentCreated::descriptor()->full_name()),
          naming(v1::OrderCompleted::descriptor()->full_name())};
}

std::vector<std::string> GroupIds(const std::string& run_id) {
  std::vector<std::string> groups;
  for (const char* name : Choreography::kServiceNames)
    groups.push_back(absl::StrCat(run_id, "-", name));
  return groups;
}

std::vector<std::string> DeadLetterTopics(const std::string& run_id) {
  std::vector<std::string> topics;
  for (const std::string& group : GroupIds(run_id))
    topics.push_back(group + ".dlq");  // the services' default: "<group_id>.dlq"
  return topics;
}

Result<std::unique_ptr<Choreography>> Choreography::Start(ChoreographyOptions options) {
  std::unique_ptr<Choreography> choreography(new Choreography(std::move(options)));
  if (Status s = choreography->CreateServices(); !s.ok()) return s;
  for (auto& service : choreography->services_) {
    if (Status s = service->Start(); !s.ok()) return s;
  }
  return choreography;
}

Status Choreography::CreateServices() {
  const std::vector<std::string> groups = GroupIds(options_.run_id);
  for (size_t i = 0; i < services_.size(); ++i) {
    saga::ServiceOptions service_options;
    service_options.client.broker = options_.broker;
    service_options.client.client_id = groups[i];
    service_options.service = absl::StrCat(kServiceNames[i], "-service");
    service_options.group_id = groups[i];
    service_options.events.topic_for_type = TopicNamingFor(options_.run_id);
    service_options.workers = options_.workers;
    service_options.create_topic_partitions = options_.partitions;
    service_options.logger = [this, name = kServiceNames[i]](saga::LogLevel level,
                                                             std::string_view message) {
      if (level < saga::LogLevel::kWarning) return;
      warnings_.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr, "choreo-saga-bench: %s service: %.*s\n", name,
                   static_cast<int>(message.size()), message.data());
    };
    Result<std::unique_ptr<saga::SagaService>> service = saga::SagaService::Create(service_options);
    if (!service.ok()) return service.status();
    services_[i] = std::move(service).value();
  }
  services_[0]->On<v1::OrderCreated>(
      [this](saga::HandlerContext& ctx, const v1::OrderCreated& order) {
        if (options_.on_stage) options_.on_stage(0, order.scheduled_ns());
        return OnOrderCreated(ctx, order);
      });
  services_[1]->On<v1::PaymentSucceeded>(
      [this](saga::HandlerContext& ctx, const v1::PaymentSucceeded& paid) {
        if (options_.on_stage) options_.on_stage(1, paid.scheduled_ns());
        return OnPaymentSucceeded(ctx, paid);
      });
  services_[2]->On<v1::ShipmentCreated>(
      [this](saga::HandlerContext& ctx, const v1::ShipmentCreated& shipment) {
        v1::OrderCompleted completed;
        completed.set_order_id(shipment.order_id());
        completed.set_scheduled_ns(shipment.scheduled_ns());
        if (Status s = ctx.Publish(completed); !s.ok()) return s;
        options_.on_completed(ctx.saga_id(), shipment.scheduled_ns());
        return OkStatus();
      });
  return OkStatus();
}

Choreography::~Choreography() {
  Stop();
}

void Choreography::Stop() {
  // Upstream first: what payment publishes while shipping stops is handled by nobody, which is
  // fine at the end of a run (every saga has completed, or the run failed anyway).
  for (auto& service : services_) {
    if (service) service->Stop();
  }
}

std::array<saga::ServiceStats, 3> Choreography::Stats() const {
  std::array<saga::ServiceStats, 3> stats;
  for (size_t i = 0; i < services_.size(); ++i) {
    if (services_[i]) stats[i] = services_[i]->Stats();
  }
  return stats;
}

}  // namespace choreo::bench
