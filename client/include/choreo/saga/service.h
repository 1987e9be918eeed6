// SagaService: a service in a choreography. It consumes saga events in a consumer group, runs the
// typed handler registered for each event type, and publishes what the handlers publish, with
// each step (the handler's output events plus the commit of its input) applied atomically by the
// broker.
//
//   choreo::saga::ServiceOptions options{.service = "payment-service"};
//   auto service = choreo::saga::SagaService::Create(options).value();
//   service->On<order::v1::OrderCreated>(
//       [](choreo::saga::HandlerContext& ctx, const order::v1::OrderCreated& order) {
//         payments::v1::PaymentSucceeded paid;
//         paid.set_order_id(order.order_id());
//         return ctx.Publish(paid);              // same saga id and trace, caused by `order`
//       });
//   service->Run();                              // until Stop() or a fatal error
//
// Ordering and parallelism. Events of one saga (one ce_correlationid, which is also the record
// key) are handled one at a time, in offset order per topic; events of different sagas are handled
// in parallel by `workers` threads. (A saga whose events are spread over several topics is ordered
// per topic; events on different topics have no order between them, as with any Kafka consumer.)
//
// Exactly-once steps. When a handler returns OK, its published events and the commit of its
// input event are sent to the broker as one step (many steps travel in one request); the broker
// applies all or none of a request in one durable write, checked against this member's group
// epoch and partition ownership. After a crash of this service or of the broker at any point, an
// event either has its outputs published and is committed, or neither and is handled again: no
// output event is ever published twice, and no input is lost. A member that lost its partitions
// (removed from the group, a zombie) can neither publish nor commit. Handlers may run more than
// once for one event (see processed_store.h for effects outside choreo). Because different sagas
// of one partition complete out of order, the committed offset is the lowest unfinished one and
// the finished offsets above it travel in the commit's metadata (at most
// `max_pending_per_partition` offsets above it: the partition pauses there).
//
// Failures. A handler that returns an error (or throws) is retried in process with exponential
// backoff (RetryPolicy); meanwhile the events queued behind it on its worker thread wait (its
// saga's, and those of other sagas that map to the same worker), the other workers go on. After the
// last attempt the event is dead-lettered: copied, with the error, attempt count, handler and its
// original topic/partition/offset in `choreo_dlq_*` headers, to the dead-letter topic in the same
// atomic step that commits it, and the service moves on. With park_sagas (the default), the saga's
// later events are then parked (copied to the dead-letter topic, committed, not handled) until the
// dead letter is replayed (`choreo dlq replay`: the dead letter and the parked events are handled
// again, in order) or discarded (`choreo dlq discard`: they are dropped and the saga's later events
// are handled again). Events of unknown types are skipped (logged at debug, counted): a new event
// type never breaks an old service. Events without an envelope are skipped likewise.
//
// Threads: one consumer thread (polling, dispatching, rebalances), `workers` handler threads, one
// step-sender thread and one thread following the dead-letter topic. Handlers run on the worker
// threads and may block (they hold up only the sagas queued on their worker).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "choreo/client/options.h"
#include "choreo/client/producer.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/saga/envelope.h"
#include "choreo/saga/events.h"
#include "choreo/saga/processed_store.h"

#include <google/protobuf/message.h>

namespace choreo::saga {

// In-process retries of a failing handler before its event is dead-lettered.
struct RetryPolicy {
  // Attempts in all, the first included; 1 means no retry. Default: 5.
  int max_attempts = 5;
  // Wait before the second attempt; doubles (x multiplier) per attempt up to max_backoff, with
  // +-20% jitter. Defaults: 100 ms, x2, 5 s.
  std::chrono::milliseconds initial_backoff{100};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{5000};
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct ServiceOptions {
  ClientOptions client = {};
  // The service's name: ce_source of its events, and the default group id. Required.
  std::string service = {};
  // The consumer group; instances of one service share it. Default: `service`.
  std::string group_id = {};
  // Topics to consume. Default (empty): the topics of the registered handlers' types under
  // `events.topic_for_type` (plus the dead-letter topic, always).
  std::vector<std::string> topics = {};
  // Naming, encoding and schema versions of published events; events.source defaults to `service`.
  EventOptions events = {};
  // Handler threads. Default: 4.
  uint32_t workers = 4;
  // At Start, check the handled types and `schema_types` against the broker's schema registry
  // (choreo/saga/schemas.h): Start fails with kIncompatibleSchema, the incompatibility spelled
  // out, when a type's local definition is incompatible with its registered versions. Types not
  // registered pass; a broker older than protocol 1.3 is not checked. Default: true.
  bool check_schemas = true;
  // Also register the types that pass and are new (not registered, or a compatible new
  // version). Default: false (registering is a deliberate act: `choreo schema register`).
  bool register_schemas = false;
  // Further message types checked at Start, e.g. those the service publishes. Default: none.
  std::vector<const google::protobuf::Descriptor*> schema_types = {};
  RetryPolicy retry = {};
  // Where dead letters and parked events go. Default: "<group_id>.dlq".
  std::string dead_letter_topic = {};
  // Park a saga's later events after one of its events is dead-lettered. Default: true.
  bool park_sagas = true;
  // The inbox for HandlerContext::Once. Default: an in-memory store (NewInMemoryProcessedStore).
  std::shared_ptr<ProcessedStore> processed_store = nullptr;
  // Missing topics (inputs, outputs, dead letters) are created with this many partitions; 0 makes
  // a missing topic an error. Default: 4.
  uint32_t create_topic_partitions = 4;
  // Events polled but not yet committed, per partition, above the committed offset; the partition
  // pauses at this bound (see "Exactly-once steps" above). At most 8192. Default: 4096.
  uint32_t max_pending_per_partition = 4096;
  // Events polled but not yet committed, over all partitions (memory bound). Default: 20,000.
  uint32_t max_pending_events = 20000;
  // A step request carries the steps finished while the previous one was in flight, up to this
  // many bytes of output records. Default: 4 MiB.
  uint64_t max_step_request_bytes = 4ull << 20;
  // Group membership (see ConsumerOptions). Defaults: 10 s and 60 s.
  std::chrono::milliseconds session_timeout{10000};
  std::chrono::milliseconds rebalance_timeout{60000};
  // Static membership (see ConsumerOptions::instance_id). Default: none.
  std::string instance_id = {};
  // How long Start() waits for a broker that cannot be reached (the service was started before
  // the broker, or during its restart) before failing with kConnectionFailed; it logs a warning
  // each time it tries again. Other errors (an incompatible schema, ...) fail Start() at once.
  // Default: 60 s.
  std::chrono::milliseconds broker_wait{60000};
  // Where the service reports what an operator should know: a step request that had to be resent
  // or resynchronised, a dead letter, a fatal error (never one line per event, except skipped
  // events at kDebug). Called from the service's threads; must be thread-safe. Default (null):
  // kWarning and above to stderr.
  std::function<void(LogLevel, std::string_view)> logger = nullptr;
};

// Handed to a handler for one event. Valid only during the handler call; not thread-safe.
class HandlerContext {
 public:
  virtual ~HandlerContext() = default;

  // The event being handled.
  virtual const Envelope& event() const = 0;
  // Its saga: ce_correlationid (or, for an event without one, its record key).
  virtual const std::string& saga_id() const = 0;
  // Where the event is stored.
  virtual const std::string& topic() const = 0;
  virtual uint32_t partition() const = 0;
  virtual int64_t offset() const = 0;
  // 1 on the first attempt, then 2, 3, ... (in-process retries). A redelivery after a restart
  // starts again at 1.
  virtual int attempt() const = 0;

  // Publishes `message` as the saga's next event: same saga id (key), same trace with a new span,
  // causation id = this event's id, source = the service. It becomes visible only if the handler
  // returns OK, atomically with the commit of this event; on an error or a retry it is dropped.
  // Errors (return them from the handler: it is retried, then dead-lettered): kInvalidArgument (a
  // message that does not serialize), kUnknownTopic (the topic is missing and
  // create_topic_partitions is 0), connection errors while creating or looking up a new topic.
  virtual Status Publish(const google::protobuf::Message& message,
                         const PublishOptions& options = {}) = 0;
  virtual Status PublishRaw(const RawEvent& event, const PublishOptions& options = {}) = 0;

  // Saga timers (events.h, ArmedTimer): arms `timer` of this saga to publish `message` at `due`
  // (or after `delay`) unless CancelTimer(timer) comes first; caused by this event, in its trace.
  // Unlike Publish(), it takes effect at once, not with the step, and blocks until the broker has
  // stored it: a handler that fails after arming leaves the timer armed (a retry re-arms it
  // harmlessly; a handler that gives up should cancel it, or handle the timeout event when it
  // comes). Errors: kInvalidArgument (no timer name, a message that does not serialize),
  // kUnknownTopic, kUnsupportedVersion (a broker older than 1.3), kTimeout, connection errors.
  virtual Result<ArmedTimer> PublishAt(std::chrono::system_clock::time_point due,
                                       std::string_view timer,
                                       const google::protobuf::Message& message,
                                       const PublishOptions& options = {}) = 0;
  Result<ArmedTimer> PublishAfter(std::chrono::milliseconds delay, std::string_view timer,
                                  const google::protobuf::Message& message,
                                  const PublishOptions& options = {}) {
    return PublishAt(std::chrono::system_clock::now() + delay, timer, message, options);
  }
  // Disarms `timer` of this saga, or says why it could not (CancelOutcome): kCancelled, or
  // kAlreadyCancelled on a repeat (a redelivered handler), kDelivered if it fired first (its
  // event is published, or being published: that is waited for), kNotFound if it was never armed.
  // Exactly one of "cancelled" and "fired" happens, so a handler that disarms a timeout before
  // acting knows whether it won. Takes effect at once, like PublishAt(). Errors: as PublishAt().
  virtual Result<CancelOutcome> CancelTimer(std::string_view timer) = 0;

  // "<group>/<handler type>/<event id>": the same on every delivery of this event to this
  // service's handler; distinct per event and per service.
  virtual std::string IdempotencyKey() const = 0;
  // Runs `effect` at most once per (event, handler, name) according to the service's
  // ProcessedStore (see processed_store.h), returning its recorded outcome on later deliveries.
  virtual Result<std::string> Once(std::string_view name, const ProcessedStore::Effect& effect) = 0;
};

// A handler's verdict: OK commits the step; any error retries the event (then dead-letters it).
template <typename Message>
using Handler = std::function<Status(HandlerContext&, const Message&)>;
using RawHandler = std::function<Status(HandlerContext&, std::string_view payload)>;
// Brings a message published under an older schema version (`from_version`, from ce_dataschema)
// up to the current one, in place, before the handler sees it.
template <typename Message>
using Upcaster = std::function<Status(int from_version, Message&)>;

// Counters of one event type (or "" for events without an envelope).
struct EventTypeStats {
  uint64_t handled = 0;        // handler returned OK and the step was committed
  uint64_t failed = 0;         // handler attempts that returned an error
  uint64_t retried = 0;        // attempts after the first
  uint64_t dead_lettered = 0;  // sent to the dead-letter topic after the last attempt
  uint64_t parked = 0;         // parked behind a dead letter of their saga
  uint64_t skipped = 0;        // no handler for the type (or no envelope)
  uint64_t replayed = 0;       // handled again by a dlq replay
};

struct ServiceStats {
  std::map<std::string, EventTypeStats> by_type;
  uint64_t steps_committed = 0;   // inputs committed through step requests
  uint64_t step_requests = 0;     // step requests acknowledged
  uint64_t events_published = 0;  // output events committed
  uint64_t parked_sagas = 0;      // sagas parked now
  uint64_t pending_events = 0;    // polled, not yet committed
};

class SagaService {
 public:
  // Validates the options; connects nothing yet (Start does). Errors: kInvalidArgument.
  static Result<std::unique_ptr<SagaService>> Create(const ServiceOptions& options);
  // Stop().
  ~SagaService();

  // Registers the handler of Message's type (its protobuf full name), replacing an earlier one.
  // Register before Start().
  template <typename Message>
  void On(Handler<Message> handler) {
    static_assert(std::is_base_of_v<google::protobuf::Message, Message>,
                  "On<T>: T must be a generated protobuf message");
    const Message& prototype = Message::default_instance();
    OnMessage(prototype, [handler = std::move(handler)](HandlerContext& ctx,
                                                        const google::protobuf::Message& m) {
      return handler(ctx, static_cast<const Message&>(m));
    });
  }
  // Registers a handler of payloads that are not protobuf, by ce_type.
  void OnRaw(std::string type, RawHandler handler);
  // Registers the upcaster of Message's older versions.
  template <typename Message>
  void Upcast(Upcaster<Message> upcaster) {
    OnUpcast(Message::default_instance(),
             [upcaster = std::move(upcaster)](int from, google::protobuf::Message& m) {
               return upcaster(from, static_cast<Message&>(m));
             });
  }

  // Connects, creates missing topics, joins the group and starts the threads. Waits up to
  // ServiceOptions::broker_wait for a broker that is not reachable yet. Errors: those of
  // Consumer::Create and Admin, kInvalidArgument (no handler registered).
  Status Start();
  // Start() if needed, then blocks until Stop() is called (from another thread or a signal
  // handler's thread) or a fatal error (returned).
  Status Run();
  // Finishes the handlers running now (a handler in its retry backoff gives up: its event is
  // handled again later), commits their steps (waiting up to client.request_timeout for the
  // broker), leaves the group and closes. Events polled but not handled are handled again by the
  // next owner. Idempotent; thread-safe, e.g. from a signal-handling thread while another thread
  // is in Run(); never from a handler (it waits for the handler threads).
  void Stop();

  ServiceStats Stats() const;
  // Stats() in the Prometheus text format (choreo_saga_events_total{service,type,outcome}, ...),
  // for a service to serve on its own /metrics.
  std::string PrometheusText() const;

  class Impl;

 private:
  using AnyHandler = std::function<Status(HandlerContext&, const google::protobuf::Message&)>;
  using AnyUpcaster = std::function<Status(int, google::protobuf::Message&)>;
  explicit SagaService(std::unique_ptr<Impl> impl);
  void OnMessage(const google::protobuf::Message& prototype, AnyHandler handler);
  void OnUpcast(const google::protobuf::Message& prototype, AnyUpcaster upcaster);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::saga
