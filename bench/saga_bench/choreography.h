// The order choreography of choreo-saga-bench: three SagaService instances in this process, on the
// public saga API only.
//
//   payment   OrderCreated     -> PaymentSucceeded
//   shipping  PaymentSucceeded -> ShipmentCreated
//   order     ShipmentCreated  -> OrderCompleted, and reports the saga complete
//
// Names. Each event type has its own topic, "<run id>.<message name>" (e.g.
// "choreo-saga-bench-4242.OrderCreated"), so runs against one broker never share topics; the
// services' groups are "<run id>-payment" etc., their dead-letter topics "<group>.dlq".
//
// Lifecycle: Start() creates and starts the services (they join their groups and read their
// topics from the beginning); Stop() stops them (idempotent; also on destruction).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/status.h"
#include "choreo/saga/events.h"
#include "choreo/saga/service.h"

namespace choreo::bench {

// The saga id of the driver's saga number `seq`, and back (nullopt-like: false if malformed).
std::string SagaIdFor(uint64_t seq);
bool SagaSeqOf(std::string_view saga_id, uint64_t* seq);

// The topic naming of run `run_id`; the driver's Publisher and the services share it.
saga::TopicNaming TopicNamingFor(const std::string& run_id);
// The four event topics of run `run_id`, OrderCreated first, OrderCompleted last.
std::vector<std::string> EventTopics(const std::string& run_id);
// The services' dead-letter topics and groups.
std::vector<std::string> DeadLetterTopics(const std::string& run_id);
std::vector<std::string> GroupIds(const std::string& run_id);

struct ChoreographyOptions {
  std::string broker;
  std::string run_id;
  uint32_t workers = 2;
  // Partitions of the dead-letter topics the services create.
  uint32_t partitions = 8;
  // Called by the order service's handler for every ShipmentCreated it handles (more than once
  // per saga if the event is handled again), with the saga id and its scheduled start. Must be
  // thread-safe and quick.
  std::function<void(std::string_view saga_id, int64_t scheduled_ns)> on_completed;
  // Called by the payment (stage 0) and shipping (stage 1) handlers with the saga's scheduled
  // start. Optional; thread-safe and quick.
  std::function<void(int stage, int64_t scheduled_ns)> on_stage = nullptr;
};

class Choreography {
 public:
  static constexpr std::array<const char*, 3> kServiceNames = {"payment", "shipping", "order"};

  // Creates and starts the three services. Errors: SagaService::Create's and Start's.
  static Result<std::unique_ptr<Choreography>> Start(ChoreographyOptions options);
  ~Choreography();

  // Stops the services (their handlers finish and commit). Idempotent.
  void Stop();

  // Per service, in kServiceNames' order.
  std::array<saga::ServiceStats, 3> Stats() const;
  // Warnings and errors the services logged.
  uint64_t warnings() const { return warnings_.load(std::memory_order_relaxed); }

 private:
  explicit Choreography(ChoreographyOptions options) : options_(std::move(options)) {}
  Status CreateServices();

  ChoreographyOptions options_;
  std::array<std::unique_ptr<saga::SagaService>, 3> services_;
  std::atomic<uint64_t> warnings_{0};
};

}  // namespace choreo::bench
